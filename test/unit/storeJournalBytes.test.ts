import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { canonicalJson } from '../../src/core/chain/canonicalJson';
import { computeEntryHash, parseEntryLine } from '../../src/core/chain/chainEntry';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';
import { prepareRecord } from '../../src/core/store/recordPreparer';
import { storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';

const TRICKY = ['', 'plain', 'é ü ß', '日本語のコード', '😀 astral 𝄞', 'lone \ud800 high', 'lone \udfff low', '\udc00\ud800 reversed', '\u2028\u2029', 'ctl \u0000\u0001\u001f\u007f', 'quote " backslash \\ slash /', 'tab\tnl\ncr\r', '\ufeffbom'];

/** The same value with every object's keys in another order (reversed), nested objects included. */
function reordered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) out[key] = reordered((value as Record<string, unknown>)[key]);
  return out as T;
}

/** Records with generated text (any code point, lone surrogates included) in their code, paths and prompts. */
function unicodeRecords(count: number): ProvenanceRecord[] {
  const texts = [...TRICKY, ...fc.sample(fc.string({ unit: 'binary', maxLength: 300 }), { numRuns: count, seed: 20261128 })];
  return new EventGenerator(77).batch(count).map((record, i) => {
    const text = texts[i % texts.length]!;
    if (record.kind !== 'edit') return { ...record, id: `${record.id}-${text.slice(0, 5)}` };
    return {
      ...record,
      file: { ...record.file, path: `${record.file.path}/${text.slice(0, 20)}` },
      insertedText: record.insertedText.form === 'text' ? { ...record.insertedText, text } : record.insertedText,
      ...(record.prompt && record.prompt.content.form === 'text' ? { prompt: { ...record.prompt, content: { ...record.prompt.content, text: `${text} ${i}` } } } : {}),
    } as ProvenanceRecord;
  });
}

describe('store: journal bytes are canonical JSON, whatever the records hold', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  it('prepares the same bytes for a record whatever its key order (nested objects too), unicode and lone surrogates included', () => {
    for (const record of unicodeRecords(400)) {
      const bytes = prepareRecord(record, 'full', 0, true).json;
      assert.deepEqual(Buffer.from(prepareRecord(reordered(record), 'full', 0, true).json), Buffer.from(bytes));
      assert.equal(Buffer.from(bytes).toString('utf8'), canonicalJson(JSON.parse(JSON.stringify(record))), 'the bytes are the canonical JSON of the record as a JSON reader sees it');
    }
  });

  it('writes lines that are the canonical JSON of their entries and hash as verify recomputes them', async () => {
    const records = unicodeRecords(400);
    const store = await openStore({ home, privacy: 'full', index: 'none' });
    for (let i = 0; i < records.length; i += 64) await store.append(records.slice(i, i + 64).map(reordered), { alreadyValidated: true });
    await store.close();
    const lines = readFileSync(path.join(home, 'journal', '000001.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, records.length);
    for (const line of lines) {
      const entry = parseEntryLine(line);
      assert.equal(line, canonicalJson(entry));
      assert.equal(entry.hash, computeEntryHash(entry));
    }
    const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.ok(verdict.ok, verdict.firstBreak?.message);
    assert.equal(verdict.entries, records.length);
  });
});

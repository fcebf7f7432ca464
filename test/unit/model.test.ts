import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  EditEvent,
  RecordParseError,
  SCHEMA_ID,
  editToAgentTrace,
  lineSpan,
  parseRecord,
  parseRecordJson,
  provenanceJsonSchemas,
  textContent,
} from '../../src/core/model';
import { readFixture, repoRoot } from './helpers';

const editExample = () => structuredClone(readFixture('records/edit.v1.json')) as Record<string, unknown>;
const sessionExample = () => structuredClone(readFixture('records/session.v1.json')) as Record<string, unknown>;

function parseError(value: unknown): RecordParseError {
  try {
    parseRecord(value);
  } catch (err) {
    assert.ok(err instanceof RecordParseError, `expected RecordParseError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the record to be rejected');
}

describe('provenance model v1', () => {
  it('accepts the documented edit and session examples', () => {
    const edit = parseRecord(editExample());
    assert.equal(edit.kind, 'edit');
    const session = parseRecord(sessionExample());
    assert.equal(session.kind, 'session');
  });

  it('keeps the examples in docs/data-model.md valid (docs stay true)', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'data-model.md'), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    const records = blocks.filter((b) => b.schema === SCHEMA_ID);
    assert.ok(records.some((r) => r.kind === 'edit'), 'docs/data-model.md shows an edit example');
    assert.ok(records.some((r) => r.kind === 'session'), 'docs/data-model.md shows a session example');
    for (const r of records) parseRecord(r);
  });

  it('rejects a newer schema version with a message that says to upgrade', () => {
    const future = { ...editExample(), schema: 'lineagelens.provenance/2' };
    const err = parseError(future);
    assert.equal(err.reason, 'version');
    assert.match(err.message, /version 2.*reads up to version 1.*upgrade/);
  });

  it('rejects records that are not ours, naming why', () => {
    assert.equal(parseError({ kind: 'edit' }).reason, 'schema');
    assert.match(parseError({ schema: 'something.else/1' }).message, /unknown schema "something.else\/1"/);
    assert.equal(parseError([1, 2]).reason, 'schema');
    assert.equal(parseError('text').reason, 'schema');
  });

  it('names the field paths of an invalid record', () => {
    const bad = editExample();
    (bad.capture as Record<string, unknown>).confidence = 1.5;
    bad.disposition = 'maybe';
    const err = parseError(bad);
    assert.equal(err.reason, 'schema');
    assert.match(err.message, /capture\.confidence/);
    assert.match(err.message, /disposition/);
  });

  it('refuses file paths that are absolute or leave the repository', () => {
    for (const p of ['/etc/passwd', '../secrets.env', 'src/../../x', 'C:\\Users\\x.ts']) {
      const bad = editExample();
      (bad.file as Record<string, unknown>).path = p;
      assert.match(parseError(bad).message, /file\.path: file path must be relative/, p);
    }
  });

  it('refuses a range whose end comes before its start', () => {
    const bad = editExample();
    bad.rangeAfter = { start: { line: 5, character: 0 }, end: { line: 4, character: 9 } };
    assert.match(parseError(bad).message, /rangeAfter: range end must not come before its start/);
  });

  it('accepts model "unknown" and a null prompt, and nothing else in their place', () => {
    const e = editExample();
    e.model = 'unknown';
    assert.equal(EditEvent.parse(e).model, 'unknown');
    e.model = 'gpt-4o';
    assert.match(parseError(e).message, /model/);
  });

  it('reports malformed JSON as a json error, not a crash', () => {
    const attempt = () => parseRecordJson('{"schema": "lineagelens.provenance/1", ');
    assert.throws(attempt, (err: unknown) => err instanceof RecordParseError && err.reason === 'json');
  });

  it('hashes content from the original text', () => {
    const c = textContent('hello');
    assert.equal(c.form, 'text');
    assert.equal(c.form === 'text' && c.sha256, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('emits JSON Schemas for records, edits and sessions', () => {
    const schemas = provenanceJsonSchemas() as Record<string, { type?: string; oneOf?: unknown[]; anyOf?: unknown[] }>;
    assert.equal(schemas.edit!.type, 'object');
    assert.equal(schemas.session!.type, 'object');
    assert.ok(schemas.record!.oneOf ?? schemas.record!.anyOf, 'record schema is a union');
  });
});

describe('Agent Trace mapping', () => {
  it('maps 0-based end-exclusive ranges to 1-based inclusive lines', () => {
    assert.deepEqual(lineSpan({ start: { line: 41, character: 2 }, end: { line: 44, character: 3 } }), { start: 42, end: 45 });
    // A range ending at column 0 does not cover the next line.
    assert.deepEqual(lineSpan({ start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }), { start: 1, end: 3 });
    assert.equal(lineSpan({ start: { line: 2, character: 4 }, end: { line: 2, character: 4 } }), null);
  });

  it('turns an accepted edit into one Agent Trace record', () => {
    const edit = EditEvent.parse(editExample());
    const trace = editToAgentTrace(edit, '00000000-0000-4000-8000-000000000000');
    assert.ok(trace);
    assert.equal(trace.version, '0.1');
    assert.deepEqual(trace.vcs, { type: 'git', revision: edit.file.commit });
    const conv = trace.files[0]!.conversations[0]!;
    assert.deepEqual(conv.contributor, { type: 'ai', model_id: 'openai/gpt-4o' });
    assert.deepEqual(conv.ranges, [{ start_line: 42, end_line: 45, content_hash: `sha256:${edit.contentHash}` }]);
  });

  it('attributes nothing for a rejected edit', () => {
    const edit = EditEvent.parse({ ...editExample(), disposition: 'rejected' });
    assert.equal(editToAgentTrace(edit), null);
  });
});

/**
 * Upload batches prepared in background threads (threads/uploadPreparer.ts): the same result and the
 * same errors as in place, nothing lost when a thread dies, and end to end through a real server.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { startServer, type RunningServer } from '../../src/server/app';
import { prepareUpload } from '../../src/server/api/prepareUpload';
import { HttpError } from '../../src/server/http/respond';
import { UploadPreparer } from '../../src/server/threads/uploadPreparer';
import { api, chainEntries, removeDir, tempDir } from './serverHarness';

const JSON_TYPE = 'application/json';
const bytes = (text: string) => Buffer.from(text, 'utf8');

function batchBody(records: ProvenanceRecord[], source = 'laptop'): string {
  return JSON.stringify({ source, entries: chainEntries(records).entries });
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof HttpError, `expected an HttpError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('Lite server: upload batches prepared in background threads', function () {
  this.timeout(60_000);
  const records = new EventGenerator(11, undefined, 'prep').batch(300);
  const body = batchBody(records);
  let preparer: UploadPreparer;
  beforeEach(() => {
    preparer = new UploadPreparer({ threads: 1 });
  });
  afterEach(() => preparer.close());

  it('prepares a large batch in a thread, with exactly what preparing it in place gives', async () => {
    assert.ok(body.length > 64 * 1024);
    const inThread = await preparer.prepare('records', JSON_TYPE, bytes(body));
    assert.deepEqual(preparer.counts, { inThread: 1, inPlace: 0 });
    assert.deepEqual(inThread, prepareUpload('records', JSON_TYPE, bytes(body)));
    assert.equal(inThread.entries.length, 300);
    assert.ok(inThread.verified.every((json, i) => json !== null && JSON.parse(json).id === records[i]!.id));
  });

  it('prepares a small batch in place (the round trip costs more than the work)', async () => {
    const small = await preparer.prepare('records', JSON_TYPE, bytes(batchBody(records.slice(0, 3))));
    assert.equal(small.entries.length, 3);
    assert.deepEqual(preparer.counts, { inThread: 0, inPlace: 1 });
  });

  it('answers bad batches with the same errors as in place: content type, JSON, schema, and a hash that does not match', async () => {
    const wrongType = await rejection(preparer.prepare('records', 'text/plain', bytes(body)));
    assert.equal(wrongType.status, 415);
    const notJson = await rejection(preparer.prepare('records', JSON_TYPE, bytes(`${body.slice(0, -1)},`)));
    assert.equal(notJson.status, 400);
    assert.match(notJson.message, /request body is not valid JSON/);
    const parsed = JSON.parse(body) as { entries: { seq: unknown }[] };
    parsed.entries[120]!.seq = 'seven';
    const badSchema = await rejection(preparer.prepare('records', JSON_TYPE, bytes(JSON.stringify(parsed))));
    assert.equal(badSchema.status, 400);
    assert.match(badSchema.message, /^invalid upload batch: entries\.120\.seq: /);
    assert.ok(Array.isArray(badSchema.extra.issues), 'the zod issues come back too');
    assert.equal(preparer.counts.inThread, 3, 'all three were refused by the thread');
    // A record changed after it was chained parses fine; its entry is marked as not verified (the ingest refuses the batch).
    const tampered = JSON.parse(body) as { entries: { record: { id: string } }[] };
    tampered.entries[7]!.record.id = 'changed-in-transit';
    const prepared = await preparer.prepare('records', JSON_TYPE, bytes(JSON.stringify(tampered)));
    assert.equal(prepared.verified[7], null);
    assert.equal(prepared.verified.filter((v) => v === null).length, 1);
  });

  it('closing with a batch still in a thread answers it all the same (prepared in place)', async () => {
    const waiting = preparer.prepare('records', JSON_TYPE, bytes(body));
    await preparer.close();
    assert.equal((await waiting).entries.length, 300);
    assert.equal((await preparer.prepare('records', JSON_TYPE, bytes(body))).entries.length, 300, 'after close, in place');
  });

  it('prepares in place what a thread that dies was holding, and says so', async () => {
    const logged: string[] = [];
    const broken = new UploadPreparer({ threads: 1, script: path.join(tempDir('ll-prep-'), 'missing.js'), log: (m) => logged.push(m) });
    try {
      const [a, b] = await Promise.all([broken.prepare('records', JSON_TYPE, bytes(body)), broken.prepare('records', JSON_TYPE, bytes(body))]);
      assert.equal(a.entries.length, 300);
      assert.deepEqual(a, b);
      assert.equal(broken.counts.inPlace, 2);
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0]!, /a background thread stopped .*uploads are prepared on the server thread/);
      // With no thread left, later batches are prepared in place at once.
      assert.equal((await broken.prepare('records', JSON_TYPE, bytes(body))).entries.length, 300);
      assert.equal(broken.counts.inPlace, 3);
    } finally {
      await broken.close();
    }
  });

  describe('through a real server', () => {
    let data: string;
    let server: RunningServer;
    let token: string;
    before(async () => {
      data = tempDir('ll-prep-server-');
      server = await startServer({ host: '127.0.0.1', port: 0, version: 'test', dbFile: path.join(data, 'lite.db'), uploadThreads: 1, rateLimit: { perSecond: 1000, burst: 1000 } });
      token = (await server.context.backend.accounts.bootstrapAdmin())!.token;
    });
    after(async () => {
      await server.close();
      removeDir(data);
    });

    it('stores a large batch prepared in a thread once, counts its resend as duplicates, and refuses a tampered one', async () => {
      const first = await api(server.url, token, '/api/v1/records', { raw: body });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.accepted, 300);
      const again = await api(server.url, token, '/api/v1/records', { raw: body });
      assert.deepEqual([again.json.accepted, again.json.duplicate], [0, 300]);
      assert.equal(server.context.uploads.counts.inThread, 2);
      const tampered = JSON.parse(batchBody(new EventGenerator(12, undefined, 'prep2').batch(300), 'desktop')) as { entries: { record: { id: string } }[] };
      tampered.entries[42]!.record.id = 'changed-in-transit';
      const refused = await api(server.url, token, '/api/v1/records', { raw: JSON.stringify(tampered) });
      assert.equal(refused.status, 409);
      assert.match(refused.json.error!, /hash does not match its content/);
      const stored = await api(server.url, token, '/api/v1/records?limit=500');
      assert.equal(stored.status, 200, stored.text);
      assert.equal((stored.json.records as unknown[]).length, 300, 'nothing of the refused batch was stored');
    });
  });
});

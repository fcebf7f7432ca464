/**
 * A server from before `human-change` facts (lineagelens.git/2): its ledger upload validates each record
 * against the version-1 kinds only and refuses a batch holding one (400). The sync client (real, over real
 * HTTP) must then send the ledger again without them, so bindings still arrive, exactly once; a version-1
 * ledger reader (the same validation) skips the new kind without losing the other records.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { GitLedger } from '../../src/core/git/gitLedger';
import { Binding, GIT_SCHEMA_ID, GIT_SCHEMA_V2, type HumanChange, ReviewMark, RewriteRecord } from '../../src/core/git/gitRecords';
import { Outbox } from '../../src/core/sync/outbox';
import { syncOutbox } from '../../src/core/sync/syncClient';
import { UploadSource } from '../../src/core/sync/uploadChain';
import { HttpError } from '../../src/server/http/respond';
import { parseBody } from '../../src/server/api/params';

/** The upload schema of a version-1 server: the same zod, without the new kind. */
const V1Batch = z.object({ source: UploadSource, records: z.array(z.discriminatedUnion('kind', [Binding, ReviewMark, RewriteRecord])).min(1).max(1_000) }).strict();

describe('ledger sync to a server from before human-change facts (real HTTP)', function () {
  this.timeout(30_000);
  let home: string;
  let server: Server;
  let url: string;
  const received: string[] = [];
  const refused: string[] = [];

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-oldserver-'));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          if (req.url !== '/api/v1/bindings') throw new HttpError(404, 'not found');
          const batch = parseBody(V1Batch, JSON.parse(Buffer.concat(chunks).toString('utf8')), 'git ledger batch');
          received.push(...batch.records.map((r) => r.id));
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: batch.records.length, duplicate: 0, conflicting: 0 }));
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 500;
          refused.push((err as Error).message);
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it('resends the batch without the facts; bindings arrive once; a v1 reader skips the new kind', async () => {
    const binding = (i: number): Binding => ({
      schema: GIT_SCHEMA_ID,
      kind: 'binding',
      id: `gb_old_${i}`,
      time: '2026-11-20T10:00:00.000Z',
      repoId: 'repo-old',
      commit: String(i).repeat(40),
      path: 'x.ts',
      via: 'commit',
      edit: { id: 'ed_old', sessionId: 'ses_old', tool: 'copilot', model: 'gpt-4o', time: '2026-11-20T09:00:00.000Z', disposition: 'accepted', acceptor: null },
      ranges: [{ start: 1, end: 1, sha256: 'a'.repeat(64), lines: ['0123456789abcdef'] }],
    });
    const human: HumanChange = {
      schema: GIT_SCHEMA_V2,
      kind: 'human-change',
      id: 'gh_old_1',
      time: '2026-11-20T10:01:00.000Z',
      repoId: 'repo-old',
      commit: '2'.repeat(40),
      path: 'x.ts',
      author: { name: 'Dana Dev', time: '2026-11-20T10:00:30.000Z' },
      edit: { id: 'ed_old' },
      ranges: [{ start: 1, end: 1, lines: ['fedcba9876543210'] }],
    };
    const ledger = new GitLedger(home);
    await ledger.append([binding(1), human, binding(3)]);
    const reasons: string[] = [];
    const result = await syncOutbox(Outbox.open(home), { serverUrl: url, token: 'llt_test', onEvent: (e) => void (e.type === 'retry' && reasons.push(e.reason)) });
    assert.equal(refused.length, 1, 'one refusal');
    assert.match(refused[0]!, /kind/);
    assert.deepEqual(received, ['gb_old_1', 'gb_old_3']);
    assert.deepEqual(result.ledger, { sent: 2, accepted: 2, duplicate: 0 });
    assert.match(reasons.join('\n'), /does not know people's changes over AI lines/);
    // Nothing is sent twice.
    assert.deepEqual((await syncOutbox(Outbox.open(home), { serverUrl: url, token: 'llt_test' })).ledger, { sent: 0, accepted: 0, duplicate: 0 });
    assert.deepEqual(received, ['gb_old_1', 'gb_old_3']);

    // A version-1 reader: the same per-line validation without the new kind keeps the other records.
    const V1Record = z.discriminatedUnion('kind', [Binding, ReviewMark, RewriteRecord]);
    const lines = ledger.readAll().map((r) => V1Record.safeParse(r));
    assert.deepEqual(lines.map((l) => l.success), [true, false, true]);
    assert.equal(ledger.verify().ok, true);
  });
});

/**
 * Server blame and export, end to end with real components: AI edits go into a real local store, a real
 * git repository commits them through the installed post-commit / post-rewrite hooks (amend) and a
 * squash merge made without hooks is mapped with `lineagelens rewrite-map`; `lineagelens sync` uploads
 * records and the git ledger to a real `lineagelens serve` process; blame answers must equal what local
 * `blame` (git blame + ledger) says about the lines each commit added. Exports are compared byte for byte
 * with the CLI's and their server signatures checked with `lineagelens verify`. Runs once per storage
 * backend: SQLite, and a real PostgreSQL 15 database made for the run (serverBackends.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { recordMatcher } from '../../src/core/export/exportFilter';
import { repoIdentityOf } from '../../src/core/git/bindCommit';
import { blameFile } from '../../src/core/git/blame';
import { GitLedger, LedgerView } from '../../src/core/git/gitLedger';
import { type Binding, GIT_SCHEMA_ID } from '../../src/core/git/gitRecords';
import { Outbox } from '../../src/core/sync/outbox';
import { syncOutbox } from '../../src/core/sync/syncClient';
import type { EditEvent } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';
import pg from 'pg';
import { openServerDb } from '../../src/server/db/serverDb';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, CLI, freePort, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const cli = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, cwd, timeout: 60_000 });

interface BlameAnswer {
  commit: string;
  lines: { line: number; origin: string; tool: string; model: string; sessionId: string; editId: string; prompt: string | null; review: { status: string }; binding: { via: string; from?: string } }[];
  rewrittenTo: string[];
  rewrittenFrom: string[];
}

for (const backend of backendsUnderTest())
describe(`team server blame and export on ${backend.name} (real git, store, sync and server processes)`, function () {
  this.timeout(180_000);
  let storage: TestStorage;
  let home: string;
  let data: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let repo: TempRepo;
  let repoId: string;
  let server: ServerProcess;
  let token: string;
  const edits: EditEvent[] = [];
  const commits: Record<string, string> = {};

  /** The lines local blame (git blame + the ledger) says are AI and were added by `commit` itself. */
  async function localAiLines(file: string, commit: string): Promise<{ line: number; editId: string }[]> {
    const view = new LedgerView(new GitLedger(home).readAll());
    const local = await blameFile({ repoDir: repo.dir, file, rev: commit, ledger: view });
    return local.lines.filter((l) => l.ai && l.commit === commit).map((l) => ({ line: l.line, editId: l.ai!.binding.edit.id }));
  }

  async function serverBlame(file: string, commit: string): Promise<BlameAnswer> {
    const res = await api(server.url, token, `/api/v1/blame?repo=${encodeURIComponent(repoId)}&path=${encodeURIComponent(file)}&commit=${commit}`);
    assert.equal(res.status, 200, res.text + server.output().slice(-3000));
    return res.json as unknown as BlameAnswer;
  }

  /** Row counts straight from the backend's tables. */
  async function tableCounts(tables: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    if (storage.postgresUrl) {
      const client = new pg.Client({ connectionString: storage.postgresUrl });
      await client.connect();
      try {
        for (const t of tables) out[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
      } finally {
        await client.end();
      }
      return out;
    }
    const db = openServerDb(path.join(data, 'lite.db'));
    try {
      for (const t of tables) out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
    return out;
  }

  function sync(): { sent: number; ledger: { sent: number; accepted: number } } {
    const run = cli(['sync', '--server', server.url, '--home', home, '--json'], { ...env, LINEAGELENS_TOKEN: token });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    return JSON.parse(run.stdout) as ReturnType<typeof sync>;
  }

  before(async () => {
    home = tempDir('ll-sbe-home-');
    storage = await backend.create('ll-sbe-data-');
    data = storage.data;
    work = tempDir('ll-sbe-work-');
    env = gitEnv(home);
    updateUserConfig(home, { privacy: 'full' }); // the level `lineagelens sync` reads as the local one
    repo = new TempRepo(env);
    repo.write('a.ts', ['human line a1', 'human line a2']);
    repo.write('b.ts', ['human line b1']);
    commits.base = repo.commitAll('base');
    const install = cli(['hooks', 'install', 'git', '--repo', repo.dir, '--home', home], env);
    assert.equal(install.status, 0, install.stderr);
    repoId = (await repoIdentityOf(repo.dir)).id;

    const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    try {
      repo.git('checkout', '-q', '-b', 'feature');
      const blockA = ['export function ai_parse(input: string) {', '  return input.split(",").map(Number);', '}'];
      edits.push(aiEdit(repoId, 'a.ts', 1, blockA, { sessionId: 'ses_server_1' }));
      await store.append([edits[0]!]);
      repo.write('a.ts', ['human line a1', ...blockA, 'human line a2']);
      commits.f1 = repo.commitAll('F1 parse');
      const blockB = ['export const ai_limit = 10;', 'export const ai_name = "b";'];
      edits.push(aiEdit(repoId, 'b.ts', 1, blockB, { sessionId: 'ses_server_2', tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, disposition: 'partially_kept' }));
      await store.append([edits[1]!]);
      repo.write('b.ts', ['human line b1', ...blockB]);
      commits.f2 = repo.commitAll('F2 limits');
    } finally {
      await store.close();
    }
    // Amend through the hooks: post-commit binds the new commit, post-rewrite records F2 -> F2'.
    repo.write('b.ts', ['human line b0', 'human line b1', 'export const ai_limit = 10;', 'export const ai_name = "b";']);
    repo.git('add', '-A');
    repo.git('commit', '-q', '--amend', '--no-edit');
    commits.f2amended = repo.git('rev-parse', 'HEAD').trim();
    // Reviewed: the first edit.
    const review = cli(['review', '--edit', edits[0]!.id, '--repo', repo.dir, '--home', home], env);
    assert.equal(review.status, 0, review.stderr);
    // A squash merge made where no hook runs (as a forge would), then mapped by rewrite-map.
    repo.git('checkout', '-q', 'main');
    repo.git('-c', 'core.hooksPath=/nonexistent', 'merge', '-q', '--squash', 'feature');
    repo.git('-c', 'core.hooksPath=/nonexistent', 'commit', '-q', '-m', 'squash merge');
    commits.squash = repo.git('rev-parse', 'HEAD').trim();
    const map = cli(['rewrite-map', 'feature..main', '--repo', repo.dir, '--home', home], env, repo.dir);
    assert.equal(map.status, 0, map.stderr);

    server = await startServerProcess(data, storage.args);
    token = server.token!;
  });

  after(async () => {
    await server?.stop();
    repo?.dispose();
    await storage?.drop();
    for (const d of [home, work]) if (d) removeDir(d);
  });

  it('sync uploads the git ledger with the records, exactly once', async () => {
    const first = sync();
    assert.equal(first.sent, edits.length);
    const ledger = new GitLedger(home).readAll();
    assert.ok(ledger.some((r) => r.kind === 'rewrite'));
    assert.equal(first.ledger.sent, ledger.length);
    assert.equal(first.ledger.accepted, ledger.length);
    const again = sync();
    assert.equal(again.ledger.sent, 0, 'acknowledged ledger records are not sent again');
    // A client that lost its acknowledgement sends everything again: nothing changes on the server.
    const resend = await api(server.url, token, '/api/v1/bindings', { body: { source: 'src-resend', records: ledger } });
    assert.equal(resend.status, 200, resend.text);
    assert.deepEqual(resend.json, { accepted: 0, duplicate: ledger.length, conflicting: 0 });
    const counts = await tableCounts(['git_bindings', 'git_reviews', 'git_rewrites', 'git_rewrite_pairs']);
    assert.equal(counts.git_bindings! + counts.git_reviews! + counts.git_rewrites!, ledger.length);
    assert.equal(counts.git_reviews, 1);
    const pairs = ledger.reduce((n, r) => n + (r.kind === 'rewrite' ? r.pairs.length : 0), 0);
    assert.ok(pairs > 0);
    assert.equal(counts.git_rewrite_pairs, pairs, 'each rewrite pair stored once');
  });

  it('answers conflicting for a stored id sent with other content, keeping the first', async () => {
    const binding = new GitLedger(home).readAll().find((r) => r.kind === 'binding')!;
    const forged = { ...binding, path: 'forged.ts' };
    const res = await api(server.url, token, '/api/v1/bindings', { body: { source: 'src-forged', records: [forged] } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { accepted: 0, duplicate: 0, conflicting: 1 });
    assert.equal((await serverBlame('forged.ts', binding.commit)).lines.length, 0, 'the forged copy was not stored');
  });

  it('rejects invalid ledger batches with a clear message and stores nothing of them', async () => {
    const ledger = new GitLedger(home).readAll();
    const bad = { ...ledger[0]!, commit: 'not-a-commit' };
    const res = await api(server.url, token, '/api/v1/bindings', { body: { source: 'src-x', records: [ledger[0], bad] } });
    assert.equal(res.status, 400);
    assert.match(res.json.error!, /records\.1/);
    assert.equal((await api(server.url, null, '/api/v1/bindings', { body: { source: 'src-x', records: ledger } })).status, 401);
    assert.equal((await api(server.url, token, '/api/v1/bindings', { body: { source: 'src-x', records: [] } })).status, 400);
  });

  it('blames a commit like local blame does: tool, model, session, prompt, disposition, review', async () => {
    const answer = await serverBlame('a.ts', commits.f1!);
    const local = await localAiLines('a.ts', commits.f1!);
    assert.deepEqual(answer.lines.map((l) => ({ line: l.line, editId: l.editId })), local);
    assert.deepEqual(local.map((l) => l.line), [2, 3, 4]);
    const l = answer.lines[0]!;
    assert.equal(l.origin, 'ai');
    assert.equal(l.tool, 'claude-code');
    assert.equal(l.model, 'anthropic/claude-sonnet-4-5');
    assert.equal(l.sessionId, 'ses_server_1');
    assert.equal(l.prompt, (edits[0]!.prompt!.content as { text: string }).text);
    assert.equal(l.review.status, 'reviewed');
    assert.equal(l.binding.via, 'commit');
    // An abbreviated commit id works; an unknown file answers no AI lines.
    assert.deepEqual((await serverBlame('a.ts', commits.f1!.slice(0, 10))).lines.length, 3);
    assert.equal((await serverBlame('nope.ts', commits.f1!)).lines.length, 0);
    const b = await serverBlame('b.ts', commits.f2!);
    assert.equal(b.lines[0]!.tool, 'copilot');
    assert.equal(b.lines[0]!.review.status, 'unreviewed');
    assert.deepEqual(b.rewrittenTo, [commits.f2amended]);
  });

  it('honours amend and a squash merge mapped by rewrite-map', async () => {
    const amended = await serverBlame('b.ts', commits.f2amended!);
    assert.deepEqual(amended.lines.map((l) => ({ line: l.line, editId: l.editId })), await localAiLines('b.ts', commits.f2amended!));
    assert.deepEqual(amended.lines.map((l) => l.line), [3, 4], 'the amend moved the AI lines down by one');
    assert.deepEqual(amended.rewrittenFrom, [commits.f2]);
    for (const file of ['a.ts', 'b.ts']) {
      const squash = await serverBlame(file, commits.squash!);
      const local = await localAiLines(file, commits.squash!);
      assert.ok(local.length > 0);
      assert.deepEqual(squash.lines.map((l) => ({ line: l.line, editId: l.editId })), local, `${file} at the squash merge`);
      assert.ok(squash.lines.every((l) => l.binding.via === 'rewrite' && l.binding.from), 'bound by the rewrite map');
      assert.deepEqual(squash.rewrittenFrom.sort(), [commits.f1, commits.f2amended].sort());
    }
    // The review mark of the edit follows it onto the squash commit.
    assert.equal((await serverBlame('a.ts', commits.squash!)).lines[0]!.review.status, 'reviewed');
  });

  describe('export', () => {
    const exportCli = (format: string, out: string, extra: string[] = []) => {
      const run = cli(['export', '--format', format, '--out', out, '--home', home, ...extra], env);
      assert.equal(run.status, 0, run.stderr);
      return readFileSync(out, 'utf8');
    };
    const serverExport = async (query: string) => {
      const res = await api(server.url, token, `/api/v1/export?${query}`);
      assert.equal(res.status, 200, res.text);
      return res;
    };

    it('streams every format with the same bytes as the CLI export', async () => {
      for (const [format, cmp] of [['jsonl', 'same'], ['csv', 'same'], ['agent-trace', 'same'], ['markdown', 'title']] as const) {
        const res = await serverExport(`format=${format}`);
        assert.equal(res.headers.get('x-lineagelens-as-of'), String(edits.length));
        const local = exportCli(format, path.join(work, `all.${format}`));
        if (cmp === 'same') assert.equal(res.text, local, format);
        else assert.equal(res.text.split('\n').slice(1).join('\n'), local.split('\n').slice(1).join('\n'), 'markdown differs only in its title');
      }
      assert.match((await serverExport('format=markdown')).text, /\| reviewed by \S+ 20/);
    });

    it('applies the filters like the CLI', async () => {
      const cases: [string, string[], Parameters<typeof recordMatcher>[0]][] = [
        ['tool=copilot', ['--tool', 'copilot'], { tool: 'copilot' }],
        ['path=**%2Fa.ts', ['--path', '**/a.ts'], { path: '**/a.ts' }],
        ['session=ses_server_1', ['--session', 'ses_server_1'], { session: 'ses_server_1' }],
        ['disposition=partially_kept', ['--disposition', 'partially_kept'], { disposition: 'partially_kept' }],
        ['model=gpt-4o', ['--model', 'gpt-4o'], { model: 'gpt-4o' }],
        [`repo=${encodeURIComponent(repoId)}&since=2026-11-20T10:00:02Z`, ['--repo', repoId, '--since', '2026-11-20T10:00:02Z'], { repo: repoId, since: '2026-11-20T10:00:02Z' }],
        ['until=2000-01-01T00:00:00Z', ['--until', '2000-01-01T00:00:00Z'], { until: '2000-01-01T00:00:00Z' }],
      ];
      for (const [query, flags, filter] of cases) {
        const res = await serverExport(`format=jsonl&${query}`);
        const expected = edits.filter(recordMatcher(filter)).map((e) => e.id);
        assert.deepEqual(res.text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), expected, query);
        assert.equal(res.text, exportCli('jsonl', path.join(work, 'filtered.jsonl'), flags), query);
      }
      assert.ok(edits.some(recordMatcher({ tool: 'copilot' })) && !edits.every(recordMatcher({ tool: 'copilot' })), 'the filters select some, not all');
      assert.equal((await api(server.url, token, '/api/v1/export?format=jsonl&since=yesterday')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/export?format=jsonl&colour=red')).status, 400);
    });

    it("signs exports with the server's key; lineagelens verify checks them and catches tampering", async () => {
      const key = await api(server.url, token, '/api/v1/export/key');
      assert.equal(key.status, 200);
      assert.ok(existsSync(path.join(data, 'keys', 'ed25519.key')), 'the signing key is kept in the data folder');
      const pub = path.join(work, 'server.pub');
      writeFileSync(pub, (key.json as { publicKey: string }).publicKey);
      for (const format of ['jsonl', 'csv', 'agent-trace', 'markdown']) {
        const dir = tempDir('ll-sbe-sig-');
        try {
          const dataRes = await serverExport(`format=${format}&tool=claude-code`);
          const asOf = dataRes.headers.get('x-lineagelens-as-of')!;
          const sig = await api(server.url, token, `/api/v1/export/signature?format=${format}&tool=claude-code&asOf=${asOf}`);
          assert.equal(sig.status, 200, sig.text);
          const name = { jsonl: 'export.jsonl', csv: 'export.csv', 'agent-trace': 'export.agent-trace.jsonl', markdown: 'export.md' }[format]!;
          writeFileSync(path.join(dir, name), dataRes.text);
          writeFileSync(path.join(dir, `${name}.sig.json`), sig.text);
          const ok = cli(['verify', path.join(dir, name), '--key', pub], env);
          assert.equal(ok.status, 0, `${format}: ${ok.stdout}${ok.stderr}`);
          writeFileSync(path.join(dir, name), dataRes.text.replace('claude-code', 'claude-codf'));
          const bad = cli(['verify', path.join(dir, name), '--key', pub], env);
          assert.equal(bad.status, 1, format);
          assert.match(bad.stdout + bad.stderr, /subject_digest|changed after it was signed/);
        } finally {
          removeDir(dir);
        }
      }
      // in-toto: the envelope names the JSONL export of the same query.
      const dir = tempDir('ll-sbe-intoto-');
      try {
        const jsonl = await serverExport('format=jsonl');
        const envelope = await serverExport(`format=intoto&asOf=${jsonl.headers.get('x-lineagelens-as-of')}`);
        const statement = JSON.parse(Buffer.from((envelope.json as { payload: string }).payload, 'base64').toString('utf8')) as { predicate: { records: number; format: string } };
        assert.equal(statement.predicate.records, edits.length);
        assert.equal(statement.predicate.format, 'intoto');
        writeFileSync(path.join(dir, 'export.jsonl'), jsonl.text);
        writeFileSync(path.join(dir, 'export.intoto.json'), envelope.text);
        const ok = cli(['verify', path.join(dir, 'export.intoto.json'), '--key', pub], env);
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
        const otherKey = path.join(work, 'other.pub');
        const gen = cli(['keys', 'generate', '--home', path.join(work, 'otherhome')], env);
        assert.equal(gen.status, 0, gen.stderr);
        writeFileSync(otherKey, readFileSync(path.join(work, 'otherhome', 'keys', 'ed25519.pub')));
        const wrongKey = cli(['verify', path.join(dir, 'export.intoto.json'), '--key', otherKey], env);
        assert.equal(wrongKey.status, 1);
        assert.match(wrongKey.stdout + wrongKey.stderr, /signature/);
      } finally {
        removeDir(dir);
      }
    });
  });
});

describe('git ledger upload through a server outage (real server process)', function () {
  this.timeout(60_000);

  it('retries while the server is down and delivers every ledger record exactly once', async () => {
    const home = tempDir('ll-sbe-outage-home-');
    const data = tempDir('ll-sbe-outage-data-');
    let server: ServerProcess | null = null;
    try {
      const port = await freePort();
      server = await startServerProcess(data, [], port);
      const token = server.token!;
      await server.stop();
      server = null;
      const ledger = new GitLedger(home);
      const edit = aiEdit('repo-outage', 'x.ts', 0, ['const ai_x = 1;']);
      const bindings: Binding[] = Array.from({ length: 7 }, (_, i) => ({
        schema: GIT_SCHEMA_ID,
        kind: 'binding' as const,
        id: `gb_outage_${i}`,
        time: '2026-11-20T10:00:00.000Z',
        repoId: 'repo-outage',
        commit: String(i).repeat(40),
        path: 'x.ts',
        via: 'commit' as const,
        edit: { id: edit.id, sessionId: edit.sessionId, tool: 'claude-code', model: 'anthropic/claude-sonnet-4-5', time: edit.time, disposition: 'accepted' as const, acceptor: null },
        ranges: [{ start: 1, end: 1, sha256: 'a'.repeat(64), lines: ['0123456789abcdef'] }],
      }));
      await ledger.append(bindings);
      const outbox = Outbox.open(home);
      const retries: string[] = [];
      const result = await syncOutbox(outbox, {
        serverUrl: `http://127.0.0.1:${port}`,
        token,
        batchSize: 3,
        retry: { baseMs: 10, maxMs: 50, maxAttempts: 20 },
        onEvent: (e) => {
          if (e.type === 'retry') retries.push(e.reason);
        },
        // The server comes back during the second wait.
        sleep: async (ms) => {
          if (retries.length === 2 && !server) server = await startServerProcess(data, [], port);
          await new Promise((r) => setTimeout(r, ms));
        },
      });
      assert.ok(retries.length >= 2, 'the upload was retried while the server was down');
      assert.deepEqual(result.ledger, { sent: 7, accepted: 7, duplicate: 0 });
      // A second run sends nothing; forgetting the acknowledgement resends all, and nothing changes.
      assert.deepEqual((await syncOutbox(outbox, { serverUrl: `http://127.0.0.1:${port}`, token })).ledger, { sent: 0, accepted: 0, duplicate: 0 });
      rmSync(path.join(home, 'sync', 'ledger-state.json'));
      assert.deepEqual((await syncOutbox(outbox, { serverUrl: `http://127.0.0.1:${port}`, token, batchSize: 4 })).ledger, { sent: 7, accepted: 0, duplicate: 7 });
      const blame = await api(server!.url, token, `/api/v1/blame?repo=repo-outage&path=x.ts&commit=${bindings[3]!.commit}`);
      assert.equal(blame.status, 200, blame.text);
      assert.equal((blame.json.lines as unknown[]).length, 1);
    } finally {
      await (server as ServerProcess | null)?.stop();
      removeDir(home);
      removeDir(data);
    }
  });
});

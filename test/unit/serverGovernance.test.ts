/**
 * Governance on a real `lineagelens serve` process, once per backend (SQLite, PostgreSQL 15): versioned
 * policies (API and CLI), the capture level enforced on ingest while the upload chain still verifies and a
 * signed server export still passes `lineagelens verify`, findings (allowed tools/models, secrets in
 * prompts, required review settled by PR webhooks), the retention purge (API, CLI and the periodic job)
 * recorded so the chain continues, and the hash-chained audit log with `lineagelens server audit verify`.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { canonicalJson } from '../../src/core/chain/canonicalJson';
import { textContent } from '../../src/core/model/content';
import type { EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { repoOf } from '../../src/core/reviews/prEvents';
import { githubSignatureHeader } from '../../src/core/reviews/webhookSignature';
import { aiEdit } from './gitHelpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webhooks');
const GITHUB_SECRET = 'gh-webhook-secret-for-governance';
const SECRET = 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';
const widgets = repoOf('https://github.com/acme/widgets').id;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The CLI as a child process, awaited (not spawnSync: a test process blocked for seconds would reuse
 * keep-alive connections the server closed meanwhile).
 */
function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; out: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (status) => resolve({ status, out: stdout + stderr, stdout }));
  });
}

function cli(args: string[], storage: TestStorage) {
  const env = { ...process.env };
  if (!storage.postgresUrl) delete env.LINEAGELENS_POSTGRES_URL;
  return run([...args, '--data', storage.data, ...storage.args], env);
}

function withPrompt(e: EditEvent, text: string): EditEvent {
  return { ...e, prompt: { content: textContent(text), source: 'hook' } };
}

for (const backend of backendsUnderTest())
describe(`governance on ${backend.name} (real server process)`, function () {
  this.timeout(60_000);
  let storage: TestStorage;
  let server: ServerProcess;
  let token: string;
  let memberToken: string;
  let head = { seq: 0, hash: '0'.repeat(64) };
  const work = tempDir('ll-gov-work-');

  async function upload(records: ProvenanceRecord[], source = 'gov-src') {
    const { entries, head: next } = chainEntries(records, head);
    const res = await api(server.url, token, '/api/v1/records', { body: { source, entries } });
    assert.equal(res.status, 200, res.text);
    head = next;
    return { res, entries };
  }
  const put = (body: unknown, t = token) => api(server.url, t, '/api/v1/policy', { method: 'PUT', body });
  const record = async (id: string) => {
    const r = await api(server.url, token, `/api/v1/records/${encodeURIComponent(id)}`);
    assert.equal(r.status, 200, r.text);
    return r.json as unknown as EditEvent;
  };

  before(async () => {
    storage = await backend.create('ll-gov-');
    process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
    process.env.LINEAGELENS_GOVERNANCE_INTERVAL_S = '0'; // purges only when asked here (the periodic job has its own test)
    try {
      server = await startServerProcess(storage.data, storage.args);
    } finally {
      delete process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET;
      delete process.env.LINEAGELENS_GOVERNANCE_INTERVAL_S;
    }
    token = server.token!;
    const member = await api(server.url, token, '/api/v1/users', { body: { name: 'mel', role: 'member' } });
    assert.equal(member.status, 201, member.text);
    memberToken = ((await api(server.url, token, '/api/v1/tokens', { body: { user: 'mel' } })).json as { token: string }).token;
  });
  after(async () => {
    await server?.stop();
    await storage?.drop();
    removeDir(work);
  });

  it('policies: admins publish versions (author, time), zod-validated; history readable; CLI show/set; in the OpenAPI document', async () => {
    const initial = await api(server.url, token, '/api/v1/policy');
    assert.equal(initial.status, 200);
    assert.equal(initial.json.version, 0, 'before any policy: the built-in default');
    // Nothing is enforced yet: a record with a secret is stored as sent.
    const before = withPrompt(aiEdit('repo-free', 'a.ts', 0, ['const a = 1;']), 'before any policy');
    await upload([before]);
    assert.equal((await record(before.id)).prompt!.content.form, 'text');

    const denied = await put({ capture: { default: 'hash' } }, memberToken);
    assert.equal(denied.status, 403);
    const invalid = await put({ capture: { default: 'secret' }, retentionDays: -1 });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.error!, /invalid policy/);
    assert.equal((await api(server.url, token, '/api/v1/policy', { method: 'PUT', raw: '{"capture":', contentType: 'application/json' })).status, 400);
    assert.equal((await api(server.url, token, '/api/v1/policy')).json.version, 0, 'refused changes made no version');

    const v1 = await put({ capture: { default: 'full' } });
    assert.equal(v1.status, 201, v1.text);
    assert.equal(v1.json.version, 1);
    assert.equal(v1.json.createdBy, 'admin');
    const policyFile = path.join(work, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ capture: { default: 'full', rules: [{ repo: 'repo-red', level: 'redacted' }] } }));
    const set = await cli(['server', 'policy', 'set', policyFile, '--by', 'ops'], storage);
    assert.equal(set.status, 0, set.out);
    assert.match(set.out, /published policy version 2 \(by ops/);
    writeFileSync(policyFile, '{"capture": {"default": "loud"}}');
    const bad = await cli(['server', 'policy', 'set', policyFile], storage);
    assert.equal(bad.status, 1);
    assert.match(bad.out, /invalid policy: capture\.default/);
    // The running server sees the version the CLI published.
    const now = await api(server.url, token, '/api/v1/policy');
    assert.equal(now.json.version, 2);
    assert.equal(now.json.createdBy, 'ops');
    const history = await api(server.url, memberToken, '/api/v1/policy/history');
    assert.deepEqual(
      (history.json.versions as { version: number; createdBy: string }[]).map((v) => [v.version, v.createdBy]),
      [
        [1, 'admin'],
        [2, 'ops'],
      ],
    );
    const shown = await cli(['server', 'policy', 'show'], storage);
    assert.equal(shown.status, 0, shown.out);
    assert.equal(JSON.parse(shown.out).body.capture.rules[0].repo, 'repo-red');
    const doc = (await api(server.url, null, '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    assert.ok(doc.paths['/api/v1/policy']!.put && doc.paths['/api/v1/policy']!.get && doc.paths['/api/v1/findings']!.get && doc.paths['/api/v1/audit']!.get);
    assert.ok(doc.components.schemas.PolicyBody);
  });

  let enforced: EditEvent[] = [];

  it('enforces the capture level on ingest (redacted, hash, off) after the chain verifies; resends stay duplicates; the chain continues', async () => {
    const v = await put({
      capture: { default: 'full', rules: [{ repo: 'repo-red', level: 'redacted' }, { repo: 'repo-hash', level: 'hash' }, { repo: 'repo-off', level: 'off' }] },
      secretAlerts: true,
      allowed: [{ repo: 'repo-red', tools: ['claude-code'], models: ['claude-*'] }],
      requireReview: ['src/secure/**'],
    });
    assert.equal(v.status, 201, v.text);
    enforced = [
      withPrompt(aiEdit('repo-red', 'r.ts', 0, ['const r = 1;']), `deploy with ${SECRET} please`),
      withPrompt(aiEdit('repo-hash', 'h.ts', 0, ['const h = 1;']), 'hash me'),
      withPrompt(aiEdit('repo-off', 'o.ts', 0, ['const o = 1;']), 'forget me'),
      withPrompt(aiEdit('repo-full', 'f.ts', 0, ['const f = 1;']), 'keep me'),
    ];
    const { res, entries } = await upload(enforced);
    assert.equal(res.json.accepted, 4);
    const [red, hashed, off, full] = await Promise.all(enforced.map((e) => record(e.id)));
    assert.equal(red!.prompt!.content.form, 'redacted');
    assert.ok(!JSON.stringify(red).includes(SECRET), 'the secret is not stored');
    assert.equal((red!.prompt!.content as { sha256: string }).sha256, (enforced[0]!.prompt!.content as { sha256: string }).sha256, 'the hash of the original text is kept');
    assert.equal(hashed!.prompt!.content.form, 'hash');
    assert.equal(hashed!.insertedText.form, 'hash');
    assert.ok(!JSON.stringify(hashed).includes('const h'));
    assert.equal(off!.prompt!.content.form, 'none');
    assert.equal(off!.insertedText.form, 'hash');
    assert.ok(!JSON.stringify(off).includes('forget me') && !JSON.stringify(off).includes('const o'));
    assert.deepEqual(full, enforced[3], 'full: stored as received');
    // Search no longer finds what enforcement removed.
    assert.equal(((await api(server.url, token, '/api/v1/search?q=forget')).json.records as unknown[]).length, 0);
    assert.equal(((await api(server.url, token, '/api/v1/search?q=keep')).json.records as unknown[]).length, 1);

    // What verification needs is kept: the entry hash and the SHA-256 of the bytes received.
    const e = await api(server.url, token, `/api/v1/enforcements/${enforced[1]!.id}`);
    assert.equal(e.status, 200, e.text);
    assert.equal(e.json.entryHash, entries[1]!.hash);
    assert.equal(e.json.seq, entries[1]!.seq);
    assert.equal(e.json.receivedSha256, sha256(canonicalJson(enforced[1])));
    assert.equal(e.json.level, 'hash');
    assert.equal((await api(server.url, token, `/api/v1/enforcements/${enforced[3]!.id}`)).status, 404, 'a full record has nothing to vouch for');
    assert.equal((await api(server.url, memberToken, `/api/v1/enforcements/${enforced[1]!.id}`)).status, 403);

    // A resend of the same entries is recognised (the chain holds the hashes of what was received).
    const resend = await api(server.url, token, '/api/v1/records', { body: { source: 'gov-src', entries } });
    assert.deepEqual([resend.status, resend.json.accepted, resend.json.duplicate], [200, 0, 4]);
    // A tampered entry is still refused: verification is over the bytes received.
    const next = chainEntries([aiEdit('repo-red', 'x.ts', 0, ['const x = 1;'])], head).entries;
    const tampered = { ...next[0]!, record: { ...next[0]!.record, id: 'ed_forged' } };
    assert.equal((await api(server.url, token, '/api/v1/records', { body: { source: 'gov-src', entries: [tampered] } })).status, 409);
    await upload([aiEdit('repo-red', 'x.ts', 0, ['const x = 1;'])]);
  });

  it("a signed server export of enforced records passes `lineagelens verify`; the uploader's head is unchanged by enforcement", async () => {
    const dir = tempDir('ll-gov-export-');
    try {
      const data = await api(server.url, token, '/api/v1/export?format=jsonl');
      assert.equal(data.status, 200, data.text);
      assert.ok(!data.text.includes(SECRET) && !data.text.includes('forget me'));
      const asOf = data.headers.get('x-lineagelens-as-of')!;
      const sig = await api(server.url, token, `/api/v1/export/signature?format=jsonl&asOf=${asOf}`);
      assert.equal(sig.status, 200, sig.text);
      const pub = path.join(dir, 'server.pub');
      writeFileSync(pub, (await api(server.url, token, '/api/v1/export/key')).json.publicKey as string);
      writeFileSync(path.join(dir, 'export.jsonl'), data.text);
      writeFileSync(path.join(dir, 'export.jsonl.sig.json'), sig.text);
      const ok = await run(['verify', path.join(dir, 'export.jsonl'), '--key', pub]);
      assert.equal(ok.status, 0, ok.out);
      assert.match(ok.stdout, /export verified/);
      const head2 = await api(server.url, token, '/api/v1/uploads/head?source=gov-src');
      assert.deepEqual(head2.json, head);
    } finally {
      removeDir(dir);
    }
  });

  it('findings: tools/models not allowed and secrets in prompts are flagged on ingest (never blocking), filterable; admins and auditors only', async () => {
    const rogue = withPrompt(aiEdit('repo-red', 'y.ts', 0, ['const y = 1;'], { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' } }), 'plain prompt');
    const { res, entries: rogueEntries } = await upload([rogue]);
    assert.equal(res.json.accepted, 1, 'ingest is not blocked');
    const all = await api(server.url, token, '/api/v1/findings');
    assert.equal(all.status, 200, all.text);
    const list = all.json.findings as { kind: string; recordId: string; detail: string; policyVersion: number }[];
    const kinds = (id: string) => list.filter((f) => f.recordId === id).map((f) => f.kind).sort();
    assert.deepEqual(kinds(rogue.id), ['model-not-allowed', 'tool-not-allowed']);
    assert.deepEqual(kinds(enforced[0]!.id), ['secret-in-prompt']);
    assert.deepEqual(kinds(enforced[3]!.id), [], 'repo-full has no rules and no secret');
    const secret = list.find((f) => f.kind === 'secret-in-prompt')!;
    assert.match(secret.detail, /github-token/);
    assert.ok(!JSON.stringify(all.json).includes(SECRET), 'a finding names the kind of secret, never the secret');
    assert.equal(secret.policyVersion, 3);
    const filtered = await api(server.url, token, '/api/v1/findings?kind=tool-not-allowed&repo=repo-red');
    assert.deepEqual((filtered.json.findings as { recordId: string }[]).map((f) => f.recordId), [rogue.id]);
    const paged = await api(server.url, token, '/api/v1/findings?limit=1');
    assert.equal((paged.json.findings as unknown[]).length, 1);
    const rest = await api(server.url, token, `/api/v1/findings?limit=500&cursor=${paged.json.nextCursor}`);
    assert.equal((rest.json.findings as unknown[]).length, list.length - 1);
    assert.equal((await api(server.url, memberToken, '/api/v1/findings')).status, 403);
    assert.equal((await api(server.url, token, '/api/v1/findings?kind=nonsense')).status, 400);
    // A resent batch adds no second finding.
    const again = await api(server.url, token, '/api/v1/records', { body: { source: 'gov-src', entries: rogueEntries } });
    assert.equal(again.json.duplicate, 1);
    assert.equal(((await api(server.url, token, '/api/v1/findings')).json.findings as unknown[]).length, list.length);
  });

  it('required review: AI code in the given paths merged without review (PR webhook facts) becomes a finding', async () => {
    const secure = aiEdit(widgets, 'src/secure/vault.ts', 0, ['const vault = 1;']);
    await upload([secure]);
    const open = await api(server.url, token, `/api/v1/findings?record=${secure.id}`);
    assert.deepEqual((open.json.findings as { kind: string; closedAt: string | null }[]).map((f) => [f.kind, f.closedAt]), [['review-required', null]]);
    const binding = {
      schema: 'lineagelens.git/1',
      kind: 'binding',
      id: 'bd_gov_secure',
      time: '2026-11-20T10:30:00.000Z',
      repoId: widgets,
      commit: '2'.repeat(40),
      path: 'src/secure/vault.ts',
      via: 'commit',
      edit: { id: secure.id, sessionId: secure.sessionId, tool: 'claude-code', model: 'anthropic/claude-sonnet-4-5', time: secure.time, disposition: 'accepted', acceptor: null },
      ranges: [{ start: 1, end: 1, sha256: 'a'.repeat(64), lines: ['0123456789abcdef'] }],
    };
    assert.equal((await api(server.url, token, '/api/v1/bindings', { body: { source: 'gov-ledger', records: [binding] } })).status, 200);
    for (const [event, fixture, id] of [
      ['pull_request', 'github-pull_request-opened.json', 'g-1'],
      ['push', 'github-push-feature.json', 'g-2'],
      ['pull_request', 'github-pull_request-merged.json', 'g-3'],
    ] as const) {
      const body = readFileSync(path.join(FIXTURES, fixture));
      const r = await fetch(`${server.url}/api/v1/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': githubSignatureHeader(GITHUB_SECRET, body) },
        body,
      });
      assert.equal(r.status, 200, await r.text());
    }
    const after = await api(server.url, token, `/api/v1/findings?record=${secure.id}`);
    const found = after.json.findings as { kind: string; closedAt: string | null; detail: string; resolution: string | null }[];
    assert.deepEqual(found.map((f) => f.kind).sort(), ['merged-without-review', 'review-required']);
    assert.match(found.find((f) => f.kind === 'merged-without-review')!.detail, /merged without review in PR #42/);
    assert.ok(found.find((f) => f.kind === 'review-required')!.closedAt, 'the review-required finding is settled');
    secureId = secure.id;
  });

  let secureId = '';
  it('dashboard: the findings page in a real browser (admins see and filter findings; members are refused)', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (.ci/run does)`);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const signIn = async (t: string) => {
        const page = await browser.newPage();
        await page.goto(`${server.url}/login`);
        await page.fill('input[name=token]', t);
        await page.click('button[type=submit]');
        await page.waitForURL(`${server.url}/`);
        return page;
      };
      const page = await signIn(token);
      await page.click('nav a[href="/findings"]');
      await page.waitForURL(`${server.url}/findings`);
      assert.equal(await page.textContent('h1'), 'Findings');
      assert.match((await page.textContent('main')) ?? '', /Policy version 3 by admin/);
      await page.click('main a:text-is("merged-without-review")');
      await page.waitForURL(/kind=merged-without-review/);
      const rows = page.locator('table tbody tr');
      assert.equal(await rows.count(), 1);
      const row = (await rows.first().textContent()) ?? '';
      assert.ok(row.includes(secureId) && row.includes('merged without review in PR #42'), row);
      await page.click('main a:text-is("secret-in-prompt")');
      await page.waitForURL(/kind=secret-in-prompt/);
      assert.match((await page.locator('table tbody tr').first().textContent()) ?? '', /github-token/);
      assert.ok(!((await page.content()).includes(SECRET)));
      const member = await signIn(memberToken);
      const refused = await member.goto(`${server.url}/findings`);
      assert.equal(refused?.status(), 403);
      assert.match((await member.textContent('main')) ?? '', /Only an admin or an auditor/);
    } finally {
      await browser.close();
    }
  });

  it('retention: the purge removes old records, records what it removed (count, range, hashes); the chain and exports still verify', async () => {
    const old = [aiEdit('repo-old', 'old1.ts', 0, ['const old1 = 1;'], { time: '2024-01-02T03:04:05.000Z' }), aiEdit('repo-old', 'old2.ts', 0, ['const old2 = 1;'], { time: '2024-02-03T04:05:06.000Z' })];
    const { entries: oldEntries } = await upload(old);
    const stored = await Promise.all(old.map((r) => record(r.id)));
    assert.equal((await put({ capture: { default: 'full' }, retentionDays: 365 }, memberToken)).status, 403);
    assert.equal((await api(server.url, memberToken, '/api/v1/purge', { method: 'POST' })).status, 403);
    assert.equal((await put({ capture: { default: 'full' }, retentionDays: 365 })).status, 201);
    const purgeRun = await api(server.url, token, '/api/v1/purge', { method: 'POST' });
    assert.equal(purgeRun.status, 200, purgeRun.text);
    const purge = purgeRun.json.purge as { id: number; count: number; oldest: string; newest: string; digest: string; by: string };
    assert.deepEqual([purge.count, purge.oldest, purge.newest, purge.by], [2, '2024-01-02T03:04:05.000Z', '2024-02-03T04:05:06.000Z', 'admin']);
    for (const r of old) assert.equal((await api(server.url, token, `/api/v1/records/${r.id}`)).status, 404);
    const detail = await api(server.url, token, `/api/v1/purges/${purge.id}`);
    const removed = detail.json.records as { recordId: string; sha256: string }[];
    assert.deepEqual(removed.map((r) => r.recordId), old.map((r) => r.id));
    // The hashes are those of the records as they were stored (and exported).
    assert.deepEqual(removed.map((r) => r.sha256), stored.map((r) => sha256(canonicalJson(r))));
    assert.equal(purge.digest, sha256(removed.map((r) => `${r.recordId} ${r.sha256}\n`).join('')));
    assert.equal((await api(server.url, memberToken, '/api/v1/purges')).status, 403);
    // The upload chain is whole: a resend of the purged entries is a duplicate, new entries link on.
    const resend = await api(server.url, token, '/api/v1/records', { body: { source: 'gov-src', entries: oldEntries } });
    assert.deepEqual([resend.status, resend.json.accepted, resend.json.duplicate], [200, 0, 2]);
    const more = await upload([aiEdit('repo-new', 'n.ts', 0, ['const n = 1;'])]);
    assert.equal(more.res.json.accepted, 1);
    // An export after the purge still verifies.
    const dir = tempDir('ll-gov-purged-');
    try {
      const data = await api(server.url, token, '/api/v1/export?format=jsonl');
      const sig = await api(server.url, token, `/api/v1/export/signature?format=jsonl&asOf=${data.headers.get('x-lineagelens-as-of')}`);
      const pub = path.join(dir, 'server.pub');
      writeFileSync(pub, (await api(server.url, token, '/api/v1/export/key')).json.publicKey as string);
      writeFileSync(path.join(dir, 'export.jsonl'), data.text);
      writeFileSync(path.join(dir, 'export.jsonl.sig.json'), sig.text);
      assert.ok(!data.text.includes(old[0]!.id));
      const ok = await run(['verify', path.join(dir, 'export.jsonl'), '--key', pub]);
      assert.equal(ok.status, 0, ok.out);
    } finally {
      removeDir(dir);
    }
  });

  it('retention: `lineagelens server purge` removes old records too', async () => {
    const viaCli = aiEdit('repo-old', 'old3.ts', 0, ['const old3 = 1;'], { time: '2024-03-04T05:06:07.000Z' });
    await upload([viaCli]);
    const out = await cli(['server', 'purge', '--by', 'ops'], storage);
    assert.equal(out.status, 0, out.out);
    assert.match(out.out, /removed 1 record\(s\) from 2024-03-04T05:06:07.000Z/);
    assert.equal((await api(server.url, token, `/api/v1/records/${viaCli.id}`)).status, 404);
    const purges = (await api(server.url, token, '/api/v1/purges')).json.purges as { by: string; count: number }[];
    assert.deepEqual(purges.map((p) => [p.by, p.count]), [['ops', 1], ['admin', 2]]);
    assert.match((await cli(['server', 'purge'], storage)).out, /nothing to purge/);
  });

  it('audit log: every read and export is logged (user, endpoint, query, result count, never content), hash-chained, exportable and verifiable', async () => {
    await api(server.url, memberToken, '/api/v1/search?q=keep');
    await api(server.url, memberToken, '/api/v1/audit'); // refused, and logged as refused
    const page1 = await api(server.url, token, '/api/v1/audit?limit=1000');
    assert.equal(page1.status, 200, page1.text);
    const entries = page1.json.entries as { seq: number; user: string; endpoint: string; query: string; status: number; results: number | null }[];
    const search = entries.find((e) => e.user === 'mel' && e.endpoint === 'search')!;
    // A developer reads only their own records (team visibility): the admin's record is not among the results.
    assert.deepEqual([search.query, search.status, search.results], ['?q=keep', 200, 0]);
    assert.ok(entries.some((e) => e.user === 'mel' && e.endpoint === 'audit' && e.status === 403));
    const exportEntry = entries.find((e) => e.endpoint === 'export')!;
    assert.ok(exportEntry.results! > 0, 'the export is logged with how many records it held');
    assert.ok(entries.some((e) => e.endpoint === 'dash_findings'), 'dashboard pages are reads too');
    assert.ok(!entries.some((e) => e.endpoint === 'ingest_records'), 'uploads are not reads');
    const text = JSON.stringify(entries);
    assert.ok(!text.includes(SECRET) && !text.includes('const r = 1'), 'no content in the audit log');
    assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1));

    const jsonl = await api(server.url, token, '/api/v1/audit?format=jsonl');
    assert.equal(jsonl.status, 200);
    const file = path.join(work, 'audit.jsonl');
    writeFileSync(file, jsonl.text);
    const verify = (f: string) => run(['server', 'audit', 'verify', f]);
    const ok = await verify(file);
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.stdout, /audit log intact: \d+ entries/);
    const lines = jsonl.text.trimEnd().split('\n');
    writeFileSync(file, [...lines.slice(0, 2), lines[2]!.replace(/"results":(\d+|null)/, '"results":999'), ...lines.slice(3)].join('\n'));
    const changed = await verify(file);
    assert.equal(changed.status, 1);
    assert.match(changed.stdout, /entry 3: its hash does not recompute/);
    writeFileSync(file, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    const removed = await verify(file);
    assert.equal(removed.status, 1);
    assert.match(removed.stdout, /entries are missing or reordered/);
    // The CLI export of the stored log verifies too.
    const out = path.join(work, 'audit-cli.jsonl');
    assert.equal((await cli(['server', 'audit', 'export', '--out', out], storage)).status, 0);
    assert.equal((await verify(out)).status, 0);
    assert.ok(readFileSync(out, 'utf8').split('\n').length > lines.length, 'reading the log was logged too');
  });

  it('the audit log refuses updates and deletes in the database itself', async () => {
    if (storage.postgresUrl) {
      const c = new pg.Client({ connectionString: storage.postgresUrl });
      await c.connect();
      try {
        await assert.rejects(c.query('UPDATE audit_log SET results = 0'), /append-only/);
        await assert.rejects(c.query('DELETE FROM audit_log'), /append-only/);
      } finally {
        await c.end();
      }
    } else {
      const { openServerDb } = await import('../../src/server/db/serverDb');
      const db = openServerDb(path.join(storage.data, 'lite.db'));
      try {
        assert.throws(() => db.prepare('UPDATE audit_log SET results = 0').run(), /append-only/);
        assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /append-only/);
      } finally {
        db.close();
      }
    }
  });
});

for (const backend of backendsUnderTest())
describe(`governance: the periodic retention job on ${backend.name} (real server process)`, function () {
  this.timeout(60_000);
  let storage: TestStorage;
  let server: ServerProcess;

  before(async () => {
    storage = await backend.create('ll-gov-job-');
    process.env.LINEAGELENS_GOVERNANCE_INTERVAL_S = '1';
    try {
      server = await startServerProcess(storage.data, storage.args);
    } finally {
      delete process.env.LINEAGELENS_GOVERNANCE_INTERVAL_S;
    }
  });
  after(async () => {
    await server?.stop();
    await storage?.drop();
  });

  it('purges records older than the retention without being asked, and records the purge', async () => {
    const token = server.token!;
    const old = aiEdit('repo-old', 'job.ts', 0, ['const job = 1;'], { time: '2023-05-06T07:08:09.000Z' });
    const kept = aiEdit('repo-new', 'job.ts', 0, ['const kept = 1;']);
    const { entries } = chainEntries([old, kept]);
    assert.equal((await api(server.url, token, '/api/v1/records', { body: { source: 'job-src', entries } })).status, 200);
    assert.equal((await api(server.url, token, '/api/v1/policy', { method: 'PUT', body: { capture: { default: 'full' }, retentionDays: 30 } })).status, 201);
    // Waits for the job's run (every second here); the test fails if it never comes.
    let purges: { by: string; count: number; oldest: string }[] = [];
    for (let i = 0; i < 300 && purges.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      purges = (await api(server.url, token, '/api/v1/purges')).json.purges as typeof purges;
    }
    assert.deepEqual(purges.map((p) => [p.by, p.count, p.oldest]), [['retention job', 1, old.time]]);
    assert.equal((await api(server.url, token, `/api/v1/records/${old.id}`)).status, 404);
    assert.equal((await api(server.url, token, `/api/v1/records/${kept.id}`)).status, 200);
    assert.match(server.output(), /retention purge 1 removed 1 record/);
  });
});

/**
 * Team visibility, end to end on a real `lineagelens serve` process, once per storage backend: users of
 * two teams, a lead, an auditor and an admin upload and read through every read endpoint (records list,
 * get by id, sessions, search, blame, exports in every format and their signatures, stats, timeline, PR
 * reviews, and the dashboard pages with a session cookie). A user of team A never gets anything of team
 * B; a record outside the reader's scope answers exactly like one that does not exist.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { textContent } from '../../src/core/model/content';
import type { EditEvent } from '../../src/core/model/schema';
import { repoOf } from '../../src/core/reviews/prEvents';
import { githubSignatureHeader } from '../../src/core/reviews/webhookSignature';
import { aiEdit } from './gitHelpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, type ServerProcess, startServerProcess } from './serverHarness';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webhooks');
const GITHUB_SECRET = 'gh-webhook-secret-for-visibility';
const repoA = 'repo_team_a_0000000000000000000000000000';
const widgets = repoOf('https://github.com/acme/widgets').id; // team B's repository (the webhook fixtures' one)
const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = '2'.repeat(40); // the fixtures' merged PR commit

function edit(repo: string, file: string, word: string, session: string, n: number): EditEvent {
  return aiEdit(repo, file, n, [`export const ${word}_${n} = ${n};`], { sessionId: session, prompt: { content: textContent(`write the ${word} helper ${n}`), source: 'hook' } });
}

function binding(e: EditEvent, commit: string, line: number) {
  return {
    schema: 'lineagelens.git/1',
    kind: 'binding',
    id: `bd_${e.id}`,
    time: '2026-11-20T10:30:00.000Z',
    repoId: e.file.repo!.id,
    commit,
    path: e.file.path,
    via: 'commit',
    edit: { id: e.id, sessionId: e.sessionId, tool: e.tool.name, model: 'anthropic/claude-sonnet-4-5', time: e.time, disposition: e.disposition, acceptor: null },
    ranges: [{ start: line, end: line, sha256: 'a'.repeat(64), lines: ['0123456789abcdef'] }],
  };
}

const cli = (args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const tokenIn = (out: string) => /(llt_\S+)/.exec(out)![1]!;

for (const backend of backendsUnderTest())
  describe(`team visibility on ${backend.name} (real server process)`, function () {
    this.timeout(120_000);
    let storage: TestStorage;
    let server: ServerProcess;
    const t: Record<string, string> = {};
    // Records by uploader.
    const alice = [edit(repoA, 'src/a.ts', 'alphaquux', 'ses_alice', 1), edit(repoA, 'src/a.ts', 'alphaquux', 'ses_alice', 2)];
    const amos = [edit(repoA, 'src/amos.ts', 'alphaquux', 'ses_amos', 3)];
    const bob = [edit(widgets, 'src/area.ts', 'bravoquux', 'ses_bob', 4), edit(widgets, 'src/area.ts', 'bravoquux', 'ses_bob', 5)];
    const ids = (rs: EditEvent[]) => rs.map((r) => r.id).sort();
    const teamA = [...alice, ...amos];
    const all = [...teamA, ...bob];

    const as = (who: string, p: string, init?: Parameters<typeof api>[3]) => api(server.url, t[who]!, p, init);
    const page = async (who: string, p: string) => {
      const res = await fetch(server.url + p, { headers: { cookie: `ll_session=${encodeURIComponent(t[who]!)}` }, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };
    const listIds = async (who: string, p = '/api/v1/records?limit=500') => {
      const res = await as(who, p);
      assert.equal(res.status, 200, res.text);
      return (res.json.records as { id: string }[]).map((r) => r.id).sort();
    };

    before(async () => {
      storage = await backend.create('ll-visibility-');
      process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
      try {
        server = await startServerProcess(storage.data, storage.args);
      } finally {
        delete process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET;
      }
      t.admin = server.token!;
      // Teams and users through the admin API ...
      for (const team of ['team-a', 'team-b']) assert.equal((await as('admin', '/api/v1/teams', { body: { name: team } })).status, 201);
      for (const [name, role] of [['alice', 'developer'], ['amos', 'member'], ['bob', 'developer'], ['audrey', 'auditor']]) {
        const made = await as('admin', '/api/v1/users', { body: { name, role } });
        assert.equal(made.status, 201, made.text);
        t[name!] = (await as('admin', '/api/v1/tokens', { body: { user: name } })).json.token as string;
      }
      for (const [team, user] of [['team-a', 'alice'], ['team-a', 'amos'], ['team-b', 'bob']]) {
        const added = await as('admin', `/api/v1/teams/${team}/members`, { body: { user } });
        assert.equal(added.status, 200, added.text);
      }
      // ... and a lead through the CLI, on the storage directly while the server runs.
      t.lara = tokenIn(cli(['server', 'user', 'add', 'lara', '--role', 'lead', '--data', storage.data, ...storage.args]));
      assert.match(cli(['server', 'team', 'add', 'team-a', 'lara', '--lead', '--data', storage.data, ...storage.args]), /"lara" is a lead of team "team-a"/);

      // Each developer uploads their own records and bindings.
      for (const [who, recs] of [['alice', alice], ['amos', amos], ['bob', bob]] as const) {
        const up = await as(who, '/api/v1/records', { body: { source: `laptop-${who}`, entries: chainEntries(recs).entries } });
        assert.equal(up.status, 200, up.text);
      }
      assert.equal((await as('alice', '/api/v1/bindings', { body: { source: 'laptop-alice', records: [binding(alice[0]!, COMMIT_A, 2)] } })).status, 200);
      assert.equal((await as('bob', '/api/v1/bindings', { body: { source: 'laptop-bob', records: [binding(bob[0]!, COMMIT_B, 3)] } })).status, 200);
      // PR webhooks: the commit of bob's binding was merged in PR #42.
      for (const [event, fixture, delivery] of [
        ['pull_request', 'github-pull_request-opened.json', 'v-1'],
        ['push', 'github-push-feature.json', 'v-2'],
        ['pull_request', 'github-pull_request-merged.json', 'v-3'],
      ]) {
        const body = readFileSync(path.join(FIXTURES, fixture!));
        const res = await fetch(`${server.url}/api/v1/webhooks/github`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': event!, 'x-github-delivery': delivery!, 'x-hub-signature-256': githubSignatureHeader(GITHUB_SECRET, body) },
          body,
        });
        assert.equal(res.status, 200, await res.text());
      }
    });

    after(async () => {
      await server?.stop();
      await storage?.drop();
    });

    it('says who reads what (/api/v1/me), and moved existing roles: "member" is a developer', async () => {
      const me = (await as('amos', '/api/v1/me')).json;
      assert.deepEqual([me.role, me.org, me.teams, me.reads, me.readUsers, me.canExport], ['developer', 'default', ['team-a'], 'users', ['amos'], false]);
      assert.deepEqual(((me.aggregateUsers as string[]) ?? []).sort(), ['alice', 'amos', 'lara']);
      const lara = (await as('lara', '/api/v1/me')).json;
      assert.deepEqual([lara.role, lara.leads, (lara.readUsers as string[]).sort(), lara.canExport], ['lead', ['team-a'], ['alice', 'amos', 'lara'], true]);
      const audrey = (await as('audrey', '/api/v1/me')).json;
      assert.deepEqual([audrey.reads, audrey.canExport, audrey.canManage], ['organisation', true, false]);
    });

    it("lineage: another team's records in a path are redacted nodes, their ids nowhere in the answer", async () => {
      const asked = async (who: string, q: string) => {
        const res = await as(who, `/api/v1/lineage?${q}`);
        assert.equal(res.status, 200, res.text);
        return res.text;
      };
      const bobEdit = encodeURIComponent(`edit:${bob[0]!.id}`);
      for (const q of [`node=${bobEdit}`, 'session=ses_bob', `node=${bobEdit}&format=prov`]) {
        const alices = await asked('alice', q);
        for (const r of bob) assert.ok(!alices.includes(r.id), `${q}: alice's answer names none of bob's records`);
        assert.match(alices, /outside your access/, `${q}: they are there, redacted`);
        for (const who of ['bob', 'audrey', 'admin']) {
          const text = await asked(who, q);
          assert.ok(text.includes(bob[0]!.id) && !text.includes("outside your access"), `${q}: ${who} reads bob's record: ${text.slice(0, 1500)}`);
        }
      }
      const own = await asked('alice', `node=${encodeURIComponent(`edit:${alice[0]!.id}`)}`);
      assert.ok(own.includes(alice[0]!.id) && !own.includes('outside your access'), 'her own path is shown in full');
    });

    it("lineage impact counts only the records of the caller's aggregate scope (a developer: their teams)", async () => {
      const tool = alice[0]!.tool.name;
      const edits = async (who: string) => {
        const res = await as(who, `/api/v1/lineage?tool=${encodeURIComponent(tool)}`);
        assert.equal(res.status, 200, res.text);
        return (res.json as { impact: { edits: number; sessions: number } }).impact;
      };
      assert.equal((await edits('alice')).edits, teamA.length, "team A's edits: alice's and amos's, not bob's");
      assert.equal((await edits('alice')).sessions, 2);
      assert.equal((await edits('bob')).edits, bob.length);
      for (const who of ['audrey', 'admin']) assert.equal((await edits(who)).edits, all.length, `${who} counts the organisation`);
    });

    it('lists: developers their own records, leads their teams, auditors and admins everything', async () => {
      assert.deepEqual(await listIds('alice'), ids(alice));
      assert.deepEqual(await listIds('amos'), ids(amos));
      assert.deepEqual(await listIds('bob'), ids(bob));
      assert.deepEqual(await listIds('lara'), ids(teamA));
      assert.deepEqual(await listIds('audrey'), ids(all));
      assert.deepEqual(await listIds('admin'), ids(all));
      // Filters cannot reach past the scope, and pages are full pages of the scope.
      assert.deepEqual(await listIds('alice', `/api/v1/records?repo=${widgets}`), []);
      assert.deepEqual(await listIds('bob', '/api/v1/records?session=ses_alice'), []);
      const first = await as('lara', '/api/v1/records?limit=2');
      assert.equal((first.json.records as unknown[]).length, 2);
      const second = await as('lara', `/api/v1/records?limit=2&cursor=${first.json.nextCursor}`);
      assert.deepEqual([...(first.json.records as { id: string }[]), ...(second.json.records as { id: string }[])].map((r) => r.id).sort(), ids(teamA));
      assert.equal(second.json.nextCursor, null);
      assert.deepEqual(await listIds('lara', '/api/v1/sessions'), []);
    });

    it('get by id: 404 outside the scope, the same answer as an id that does not exist', async () => {
      for (const [who, own, foreign] of [['alice', alice[0]!, bob[0]!], ['alice', alice[0]!, amos[0]!], ['bob', bob[0]!, alice[0]!], ['lara', amos[0]!, bob[1]!]] as const) {
        assert.equal((await as(who, `/api/v1/records/${own.id}`)).status, 200);
        const hidden = await as(who, `/api/v1/records/${foreign.id}`);
        const missing = await as(who, '/api/v1/records/ed_does_not_exist');
        assert.equal(hidden.status, 404);
        assert.equal(hidden.json.error, `no record with id "${foreign.id}"`);
        assert.equal(missing.status, 404);
        assert.ok(!hidden.text.includes('bravoquux') && !hidden.text.includes('alphaquux'));
      }
      assert.equal((await as('audrey', `/api/v1/records/${bob[0]!.id}`)).status, 200);
    });

    it('search finds only records in the scope', async () => {
      const found = async (who: string, q: string) => ((await as(who, `/api/v1/search?q=${q}`)).json.records as { id: string }[]).map((r) => r.id).sort();
      assert.deepEqual(await found('alice', 'alphaquux'), ids(alice));
      assert.deepEqual(await found('alice', 'bravoquux'), []);
      assert.deepEqual(await found('bob', 'alphaquux'), []);
      assert.deepEqual(await found('lara', 'alphaquux'), ids(teamA));
      assert.deepEqual(await found('lara', 'bravoquux'), []);
      assert.deepEqual(await found('audrey', 'bravoquux'), ids(bob));
    });

    it("blame shows AI lines only from bindings and records the reader may read", async () => {
      const blame = async (who: string, repo: string, file: string, commit: string) => {
        const res = await as(who, `/api/v1/blame?repo=${repo}&path=${file}&commit=${commit}`);
        assert.equal(res.status, 200, res.text);
        return res.json as { lines: { line: number; editId: string; prompt: string | null }[] };
      };
      assert.deepEqual((await blame('bob', widgets, 'src/area.ts', COMMIT_B)).lines.map((l) => l.editId), [bob[0]!.id]);
      assert.deepEqual((await blame('audrey', widgets, 'src/area.ts', COMMIT_B)).lines.map((l) => l.editId), [bob[0]!.id]);
      for (const who of ['alice', 'amos', 'lara']) assert.deepEqual((await blame(who, widgets, 'src/area.ts', COMMIT_B)).lines, [], who);
      // A short commit prefix is not resolved through someone else's bindings either.
      assert.deepEqual((await blame('alice', widgets, 'src/area.ts', COMMIT_B.slice(0, 7))).lines, []);
      const lead = await blame('lara', repoA, 'src/a.ts', COMMIT_A);
      assert.deepEqual(lead.lines.map((l) => [l.editId, l.prompt]), [[alice[0]!.id, 'write the alphaquux helper 1']]);
      assert.deepEqual((await blame('amos', repoA, 'src/a.ts', COMMIT_A)).lines, [], 'a teammate sees aggregates, not content');
      assert.deepEqual((await blame('bob', repoA, 'src/a.ts', COMMIT_A)).lines, []);
    });

    it('PR review status only for commits the reader has bindings at', async () => {
      const review = async (who: string) => (await as(who, `/api/v1/reviews?repo=${widgets}&commit=${COMMIT_B}`)).json as { review: unknown; description: string };
      const unknown = (await as('bob', `/api/v1/reviews?repo=${widgets}&commit=${'9'.repeat(40)}`)).json;
      assert.notEqual((await review('bob')).review, null);
      assert.notEqual((await review('audrey')).review, null);
      for (const who of ['alice', 'lara']) assert.deepEqual(await review(who), { repo: widgets, commit: COMMIT_B, review: null, description: unknown.description });
    });

    it('exports: developers may not; a lead exports the team, an auditor everything (every format and the signature)', async () => {
      assert.equal((await as('alice', '/api/v1/export?format=jsonl')).status, 403);
      assert.equal((await as('bob', '/api/v1/export/signature?format=jsonl')).status, 403);
      const exported = async (who: string, format: string) => {
        const res = await as(who, `/api/v1/export?format=${format}`);
        assert.equal(res.status, 200, res.text);
        return res;
      };
      const jsonlIds = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id).sort();
      assert.deepEqual(jsonlIds((await exported('lara', 'jsonl')).text), ids(teamA));
      assert.deepEqual(jsonlIds((await exported('audrey', 'jsonl')).text), ids(all));
      for (const format of ['csv', 'markdown', 'agent-trace']) {
        const text = (await exported('lara', format)).text;
        for (const r of bob) assert.ok(!text.includes(r.id) && !text.includes('bravoquux'), `${format} leaks team B`);
        assert.ok(text.includes('alphaquux') || text.includes(alice[0]!.id) || format === 'agent-trace', format);
      }
      const signed = await as('lara', '/api/v1/export?format=intoto');
      assert.equal(signed.status, 200);
      const statement = JSON.parse(Buffer.from((signed.json as { payload: string }).payload, 'base64').toString('utf8')) as { predicate: { records: number } };
      assert.equal(statement.predicate.records, teamA.length);
      const sig = await as('lara', '/api/v1/export/signature?format=markdown');
      assert.equal(JSON.parse(Buffer.from((sig.json as { payload: string }).payload, 'base64').toString('utf8')).predicate.records, teamA.length);
      // The snapshot watermark is of the reader's own scope: it does not count other teams' uploads.
      assert.ok(Number(signed.headers.get('x-lineagelens-as-of')) <= Number((await exported('audrey', 'jsonl')).headers.get('x-lineagelens-as-of')));
    });

    it('stats and timeline: developers get their teams’ aggregates (counts only), never another team’s', async () => {
      const stats = async (who: string, q = '') => (await as(who, `/api/v1/stats${q}`)).json as { records: number; edits: number; repos: number; aiLines: number };
      const edits = async (who: string) => ((await as(who, '/api/v1/stats/timeline')).json.points as { edits: number }[]).reduce((n, p) => n + p.edits, 0);
      for (const who of ['alice', 'amos', 'lara']) {
        assert.deepEqual([(await stats(who)).records, (await stats(who)).repos, await edits(who)], [teamA.length, 1, teamA.length], who);
        assert.equal((await stats(who, `?repo=${widgets}`)).records, 0);
      }
      assert.deepEqual([(await stats('bob')).records, await edits('bob')], [bob.length, bob.length]);
      assert.deepEqual([(await stats('audrey')).records, await edits('audrey')], [all.length, all.length]);
      // Aggregates, not content: amos counts alice's records but cannot read them.
      assert.deepEqual(await listIds('amos', `/api/v1/records?session=ses_alice`), []);
    });

    it('the dashboard pages read in the viewer’s scope', async () => {
      const rec = await page('bob', `/records/${alice[0]!.id}`);
      const missing = await page('bob', '/records/ed_does_not_exist');
      assert.deepEqual([rec.status, missing.status], [404, 404]);
      assert.ok(!rec.text.includes('alphaquux'));
      assert.equal((await page('alice', `/records/${alice[0]!.id}`)).status, 200);
      assert.equal((await page('lara', `/records/${amos[0]!.id}`)).status, 200);
      assert.equal((await page('bob', '/sessions/ses_alice')).status, 404);
      assert.equal((await page('lara', '/sessions/ses_alice')).status, 200);
      const search = await page('bob', '/search?q=alphaquux');
      assert.ok(!search.text.includes(alice[0]!.id) && search.text.includes('Nothing matches'));
      assert.ok((await page('lara', '/search?q=alphaquux')).text.includes(alice[0]!.id));
      const repos = await page('bob', '/repos');
      assert.ok(repos.text.includes(widgets) && !repos.text.includes(repoA));
      const files = await page('bob', `/repos?repo=${repoA}`);
      assert.ok(!files.text.includes('src/a.ts') && files.text.includes('0 AI lines'));
      const fileEdits = await page('amos', `/repos?repo=${repoA}&path=src/a.ts`);
      assert.ok(!fileEdits.text.includes(alice[0]!.id), 'a teammate sees the file’s counts, not its edits');
      const home = await page('bob', '/');
      assert.equal(home.status, 200);
      assert.match(home.text, new RegExp(`<b>${bob.length}</b><span>AI edits`));
    });

    it('the organisation view (/org, headless Chromium): AI lines by team, repository, tool and model, kept and rejected, top files, unreviewed — in the viewer’s scope', async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (.ci/run does)`);
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        /** Each h2/h3 heading of /org with the rows of the table under it. */
        const view = async (who: string) => {
          const context = await browser.newContext();
          await context.addCookies([{ name: 'll_session', value: encodeURIComponent(t[who]!), url: server.url }]);
          const page = await context.newPage();
          const res = await page.goto(`${server.url}/org`);
          assert.equal(res?.status(), 200);
          const sections = (await page.evaluate(`(() => {
            const out = {};
            for (const h of document.querySelectorAll('main h2, main h3')) {
              let el = h.nextElementSibling;
              while (el && el.tagName === 'P') el = el.nextElementSibling;
              out[h.textContent] = el && el.tagName === 'TABLE' ? [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)) : [];
            }
            return out;
          })()`)) as Record<string, string[][]>;
          const text = (await page.textContent('main')) ?? '';
          await context.close();
          return { sections, text };
        };
        const auditor = await view('audrey');
        assert.deepEqual(auditor.sections['By team'], [
          ['team-a', '3', '3', '100%', '0%'],
          ['team-b', '2', '2', '100%', '0%'],
        ]);
        assert.deepEqual(auditor.sections['By repository']!.map((r) => r[0]).sort(), [repoA, widgets].sort());
        assert.deepEqual(auditor.sections['By tool'], [['claude-code', '5', '5', '100%', '0%']]);
        assert.equal(auditor.sections['AI lines per week by team']!.reduce((n, r) => n + Number(r[1]) + Number(r[2]), 0), 5);
        assert.equal(auditor.sections['Files with the most AI lines']!.length, 3);
        assert.deepEqual(auditor.sections['Unreviewed AI code']!.map((r) => [r[0], r[1]]).sort(), [[repoA, '3'], [widgets, '2']].sort());
        const dev = await view('bob');
        assert.deepEqual(dev.sections['By team'], [['team-b', '2', '2', '100%', '0%']]);
        assert.deepEqual(dev.sections['By repository']!.map((r) => r[0]), [widgets]);
        assert.deepEqual(dev.sections['Files with the most AI lines']!.map((r) => r[1]), ['src/area.ts']);
        assert.ok(!dev.text.includes(repoA) && !dev.text.includes('team-a') && !dev.text.includes('src/a.ts'));
        const teammate = await view('amos');
        assert.deepEqual(teammate.sections['By team'], [['team-a', '3', '3', '100%', '0%']], 'team aggregates include teammates');
        for (const r of all) assert.ok(!teammate.text.includes(r.id) && !teammate.text.includes('quux'), 'counts only, never content');
      } finally {
        await browser.close();
      }
    });

    it('only admins manage: auditors, leads and developers get 403 on every admin endpoint', async () => {
      for (const who of ['audrey', 'lara', 'alice']) {
        const calls: [string, Parameters<typeof api>[3]][] = [
          ['/api/v1/users', { body: { name: 'mallory', role: 'admin' } }],
          ['/api/v1/users', { method: 'GET' }],
          ['/api/v1/users/alice/role', { body: { role: 'admin' } }],
          ['/api/v1/tokens', { body: { user: 'admin' } }],
          ['/api/v1/tokens/1', { method: 'DELETE' }],
          ['/api/v1/teams', { body: { name: 'team-x' } }],
          ['/api/v1/teams', { method: 'GET' }],
          ['/api/v1/teams/team-b/members', { body: { user: who } }],
          ['/api/v1/teams/team-a/members/alice', { method: 'DELETE' }],
        ];
        for (const [p, init] of calls) assert.equal((await as(who, p, init)).status, 403, `${who} ${init?.method ?? 'POST'} ${p}`);
      }
      assert.equal((await as('audrey', '/metrics')).status, 200);
      assert.equal((await as('alice', '/metrics')).status, 403);
      assert.equal((await as('admin', '/api/v1/users', { method: 'GET' })).json.users instanceof Array, true);
    });

    it('admins manage teams and roles (validated), and changes apply to the next request', async () => {
      assert.equal((await as('admin', '/api/v1/teams', { body: { name: 'team-a' } })).status, 409);
      assert.equal((await as('admin', '/api/v1/teams', { body: { name: 'bad name!' } })).status, 400);
      assert.equal((await as('admin', '/api/v1/teams', { body: { name: 'x', extra: 1 } })).status, 400);
      assert.equal((await as('admin', '/api/v1/users', { body: { name: 'eve', role: 'root' } })).status, 400);
      assert.equal((await as('admin', '/api/v1/teams/team-zz/members', { body: { user: 'bob' } })).status, 404);
      assert.equal((await as('admin', '/api/v1/teams/team-a/members', { body: { user: 'nobody' } })).status, 404);
      const notLead = await as('admin', '/api/v1/teams/team-b/members', { body: { user: 'bob', lead: true } });
      assert.equal(notLead.status, 400);
      assert.match(notLead.json.error!, /lead role first/);
      // bob becomes lead of team-b, then leaves it: his reads follow.
      assert.equal((await as('admin', '/api/v1/users/bob/role', { body: { role: 'lead' } })).json.role, 'lead');
      assert.equal((await as('admin', '/api/v1/teams/team-b/members', { body: { user: 'bob', lead: true } })).status, 200);
      assert.equal((await as('admin', '/api/v1/teams/team-b/members', { body: { user: 'alice' } })).status, 200);
      assert.deepEqual(await listIds('bob'), ids([...bob, ...alice]));
      assert.equal((await as('admin', '/api/v1/teams/team-b/members/alice', { method: 'DELETE' })).status, 200);
      assert.equal((await as('admin', '/api/v1/teams/team-b/members/alice', { method: 'DELETE' })).status, 404);
      assert.deepEqual(await listIds('bob'), ids(bob));
      const teams = (await as('admin', '/api/v1/teams', { method: 'GET' })).json.teams as { name: string; members: { user: string; lead: boolean }[] }[];
      assert.deepEqual(
        teams.map((x) => [x.name, x.members.map((m) => `${m.user}${m.lead ? '*' : ''}`)]),
        [
          ['team-a', ['alice', 'amos', 'lara*']],
          ['team-b', ['bob*']],
        ],
      );
      assert.match(cli(['server', 'team', 'list', '--data', storage.data, ...storage.args]), /default\tteam-b\tbob \(lead\)/);
    });

    it('another organisation sees nothing of this one, and its admin manages only its own users', async () => {
      cli(['server', 'org', 'create', 'other', '--data', storage.data, ...storage.args]);
      const otherAdmin = tokenIn(cli(['server', 'user', 'add', 'oscar', '--role', 'admin', '--org', 'other', '--data', storage.data, ...storage.args]));
      const r = (p: string, init?: Parameters<typeof api>[3]) => api(server.url, otherAdmin, p, init);
      assert.deepEqual((await r('/api/v1/records')).json.records, []);
      assert.equal((await r(`/api/v1/records/${alice[0]!.id}`)).status, 404);
      assert.equal((await r('/api/v1/stats')).json.records, 0);
      assert.equal((await r('/api/v1/tokens', { body: { user: 'alice' } })).status, 404);
      assert.equal((await r('/api/v1/users/alice/role', { body: { role: 'admin' } })).status, 404);
      assert.deepEqual(((await r('/api/v1/users', { method: 'GET' })).json.users as { name: string }[]).map((u) => u.name), ['oscar']);
      assert.equal((await r('/api/v1/teams/team-a/members', { body: { user: 'oscar' } })).status, 404, 'team-a is not a team of "other"');
    });
  });

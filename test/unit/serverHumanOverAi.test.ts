/**
 * A person's change over AI lines, answered by the team server (which has no git checkout) as the local
 * CLI answers it with git, once per storage backend, with real components: a real git repository whose
 * post-commit hook binds commits (and records `human-change` facts), a real store, `lineagelens sync` to
 * a real `lineagelens serve` process.
 *
 *   C1  Copilot inserts a function (bound by the hook)
 *   C2  a person rewrites two of its lines and appends a line of their own
 *   C3  another commit of the person rewrites one of those lines again (traced through C2's fact)
 *
 * For each line the server's GET /api/v1/lineage answer must be the local `lineLineage` answer: origin,
 * chain (node ids, kinds, sessions) and the commits it landed in. A developer who may not read Copilot's
 * record sees the person's change with the edit behind it redacted. Then the signed in-toto export with
 * `lineage=1`: `lineagelens verify --key` accepts it and rejects it once the lineage inside is changed; a
 * lead's export of their team's edit shows its ancestor from outside the team as a redacted node.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../../src/core/git/gitLedger';
import { GitRecord, type HumanChange } from '../../src/core/git/gitRecords';
import { LineageGraph, nodeId } from '../../src/core/lineage/lineageGraph';
import { lineLineage, type LineLineage } from '../../src/core/lineage/lineLineage';
import { qname } from '../../src/core/lineage/provJson';
import { loadAncestryGraph } from '../../src/core/lineage/storedLineage';
import { textContent } from '../../src/core/model/content';
import { openStore } from '../../src/core/store/provenanceStore';
import type { LineAncestryJson, ShownNode } from '../../src/server/lineage/lineageService';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const cli = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, cwd, timeout: 60_000 });

const header = ['// totals', 'export const currency = "EUR";'];
const fn = ['export function total(items: number[]) {', '  const sum = items.reduce((a, b) => a + b, 0);', '  const taxed = sum * 1.2;', '  return Math.round(taxed * 100) / 100;', '}'];
const edited = [fn[0]!, '  const sum = items.reduce((acc, n) => acc + n, 0); // by hand', '  const taxed = sum * 1.25;', fn[3]!, fn[4]!];
const own = 'export const version = 2; // a line of the person';
const again = [fn[0]!, '  const sum = items.reduce((acc, n) => acc + n, 0.0); // by hand, again', edited[2]!, fn[3]!, fn[4]!];

/** What both answers must agree on. */
interface Shape {
  origin: string;
  chain: [string, string, string | null][];
  landed: string[];
}

const attrsOf = (n: ShownNode | undefined): Record<string, unknown> => (n && 'attrs' in n ? n.attrs : {});

function localShape(l: LineLineage): Shape {
  return {
    origin: l.origin === 'human' ? 'unbound' : l.origin,
    chain: (l.ancestry?.chain ?? []).map((s) => [s.node.id, s.node.kind, s.session?.id ?? null]),
    landed: (l.ancestry?.landed ?? []).map((x) => String(x.commit.attrs.sha)).sort(),
  };
}

function serverShape(a: LineAncestryJson): Shape {
  return {
    origin: a.origin,
    chain: (a.ancestry?.chain ?? []).map((s) => [s.node.id, s.node.kind, s.session?.id ?? null]),
    landed: (a.ancestry?.landed ?? []).map((x) => String(attrsOf(x.commit).sha)).sort(),
  };
}

for (const backend of backendsUnderTest())
  describe(`a person's change over AI lines on the team server, ${backend.name} (real git, hooks, store, sync, server process)`, function () {
    this.timeout(180_000);
    let storage: TestStorage;
    let home: string;
    let env: NodeJS.ProcessEnv;
    let repo: TempRepo;
    let repoId: string;
    let server: ServerProcess;
    let token: string;
    let bobToken: string;
    let copilot: ReturnType<typeof aiEdit>;
    const c: Record<string, string> = {};

    const serverLine = async (line: number, rev: string, who = token): Promise<LineAncestryJson> => {
      const res = await api(server.url, who, `/api/v1/lineage?repo=${encodeURIComponent(repoId)}&path=total.ts&line=${line}&rev=${rev}`);
      assert.equal(res.status, 200, res.text + server.output().slice(-2000));
      return res.json as unknown as LineAncestryJson;
    };
    const localLine = async (line: number, rev: string, ledger = new LedgerView(new GitLedger(home).readAll())): Promise<LineLineage> => {
      const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
      try {
        return await lineLineage({ repoDir: repo.dir, file: 'total.ts', line, rev, ledger, graph: (nodes) => loadAncestryGraph(store, nodes) });
      } finally {
        await store.close();
      }
    };

    before(async () => {
      home = tempDir('ll-shoa-home-');
      storage = await backend.create('ll-shoa-data-');
      env = gitEnv(home);
      updateUserConfig(home, { privacy: 'full' });
      repo = new TempRepo(env);
      repo.git('remote', 'add', 'origin', 'git@github.com:acme/totals.git');
      repo.write('total.ts', header);
      c.base = repo.commitAll('base');
      assert.equal(cli(['hooks', 'install', 'git', '--repo', repo.dir, '--home', home], env).status, 0);
      repoId = (await repoIdentityOf(repo.dir)).id;

      const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
      try {
        copilot = aiEdit(repoId, 'total.ts', 2, fn, { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, sessionId: 'ses_totals', prompt: { content: textContent('sum with tax'), source: 'transcript' } });
        await store.append([copilot]);
      } finally {
        await store.close();
      }
      repo.write('total.ts', [...header, ...fn]);
      c.c1 = repo.commitAll('C1 total'); // the hook binds Copilot's lines
      repo.write('total.ts', [...header, ...edited, own]);
      c.c2 = repo.commitAll('C2 by hand'); // the hook records the person's change over lines 4-5
      repo.write('total.ts', [...header, ...again, own]);
      c.c3 = repo.commitAll('C3 again');

      server = await startServerProcess(storage.data, storage.args);
      token = server.token!;
      assert.equal((await api(server.url, token, '/api/v1/users', { body: { name: 'bob', role: 'developer' } })).status, 201);
      bobToken = (await api(server.url, token, '/api/v1/tokens', { body: { user: 'bob' } })).json.token as string;
      const sync = cli(['sync', '--server', server.url, '--home', home, '--json'], { ...env, LINEAGELENS_TOKEN: token });
      assert.equal(sync.status, 0, sync.stderr + sync.stdout);
    });

    after(async () => {
      await server?.stop();
      repo?.dispose();
      await storage?.drop();
      if (home) removeDir(home);
    });

    /** Writes the export and its signed statement beside the server's key; `lineagelens verify --key` must pass. Returns the key's path. */
    async function verifiedExport(dir: string, jsonl: string, envelope: string): Promise<string> {
      const pub = path.join(dir, 'server.pub');
      writeFileSync(pub, (await api(server.url, token, '/api/v1/export/key')).json.publicKey as string);
      writeFileSync(path.join(dir, 'export.jsonl'), jsonl);
      writeFileSync(path.join(dir, 'export.intoto.json'), envelope);
      const ok = cli(['verify', path.join(dir, 'export.intoto.json'), '--key', pub], env);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      return pub;
    }

    it('the post-commit hook records the person’s changes as ledger facts (schema lineagelens.git/2, no code), chained and verifiable', () => {
      const ledger = new GitLedger(home);
      const facts = ledger.readAll().filter((r): r is HumanChange => r.kind === 'human-change');
      assert.deepEqual(
        facts.map((f) => [f.commit, f.path, f.edit.id, f.ranges.map((r) => [r.start, r.end]), f.author.name]),
        [
          [c.c2, 'total.ts', copilot.id, [[4, 5]], 'Dana Dev'],
          [c.c3, 'total.ts', copilot.id, [[4, 4]], 'Dana Dev'],
        ],
      );
      for (const f of facts) {
        assert.equal(f.schema, 'lineagelens.git/2');
        assert.ok(GitRecord.safeParse(f).success);
        assert.ok(!JSON.stringify(f).includes('by hand') && !JSON.stringify(f).includes('items.reduce'), 'no code text in the fact');
      }
      assert.equal(ledger.verify().ok, true);
    });

    it('answers each line as the local lineLineage does: human-over-ai, ai, and a person’s own line', async () => {
      const cases: [number, string][] = [
        [4, c.c3!], // rewritten in C2 and again in C3: traced through C2's fact
        [5, c.c3!], // rewritten in C2, untouched since
        [3, c.c3!], // Copilot's line nobody touched
        [6, c.c3!],
        [8, c.c3!], // the person's own line, added from nothing
        [1, c.c3!], // the base commit's line
      ];
      const origins: string[] = [];
      for (const [line, head] of cases) {
        const local = await localLine(line, head);
        const remote = await serverLine(line, local.commit);
        assert.deepEqual(serverShape(remote), localShape(local), `line ${line}`);
        assert.equal(remote.rev, local.commit);
        origins.push(remote.origin);
      }
      assert.deepEqual(origins, ['human-over-ai', 'human-over-ai', 'ai', 'ai', 'unbound', 'unbound']);

      // The person's change: Copilot's edit (with its session), then the human node; landed in the commit.
      const line4 = await serverLine(4, c.c3!);
      assert.equal(line4.editId, copilot.id);
      assert.deepEqual(line4.ancestry!.chain.map((s) => [s.node.kind, attrsOf(s.node).tool ?? attrsOf(s.node).author]), [['edit', 'copilot'], ['human', 'Dana Dev']]);
      assert.equal(line4.ancestry!.chain[1]!.via?.evidence, 'git-diff');
      assert.equal(line4.ancestry!.chain[0]!.session?.id, nodeId.session('ses_totals'));
      assert.deepEqual(line4.ancestry!.landed.map((l) => [attrsOf(l.commit).sha, l.path]), [[c.c3, 'total.ts']]);
      const line5 = await serverLine(5, c.c2!);
      assert.deepEqual([line5.origin, attrsOf(line5.ancestry!.chain[1]!.node).ranges, attrsOf(line5.ancestry!.chain[1]!.node).commit], ['human-over-ai', '4-5', c.c2]);
      // An abbreviated revision of a commit with no AI bindings at all still resolves.
      const short = await serverLine(5, c.c2!.slice(0, 10));
      assert.deepEqual([short.origin, short.rev], ['human-over-ai', c.c2]);
    });

    it('the same edit as git alone finds (lineLineage following the diff back, without the facts)', async () => {
      const withoutFacts = new LedgerView(new GitLedger(home).readAll().filter((r) => r.kind !== 'human-change'));
      for (const line of [4, 5]) {
        const byGit = await lineLineage({ repoDir: repo.dir, file: 'total.ts', line, rev: c.c3, ledger: withoutFacts, graph: new LineageGraph() });
        const remote = await serverLine(line, byGit.commit);
        assert.equal(byGit.origin, 'human-over-ai');
        assert.deepEqual(
          byGit.ancestry!.chain.map((s) => s.node.kind),
          remote.ancestry!.chain.map((s) => s.node.kind),
        );
        assert.equal(byGit.ancestry!.chain[0]!.node.id, remote.ancestry!.chain[0]!.node.id, 'the same AI edit');
      }
    });

    it('a developer who may not read Copilot’s record sees the person’s change over a redacted edit', async () => {
      const res = await api(server.url, bobToken, `/api/v1/lineage?repo=${encodeURIComponent(repoId)}&path=total.ts&line=4&rev=${c.c3}`);
      assert.equal(res.status, 200, res.text);
      const a = res.json as unknown as LineAncestryJson;
      assert.equal(a.origin, 'human-over-ai');
      assert.equal(a.editId, null);
      assert.deepEqual(a.ancestry!.chain.map((s) => s.node.kind), ['redacted', 'human']);
      assert.equal(attrsOf(a.ancestry!.chain[1]!.node).author, 'Dana Dev');
      assert.ok(!res.text.includes(copilot.id) && !res.text.includes('ses_totals') && !res.text.includes('gpt-4o'), 'nothing of the record bob may not read');
    });

    it('a signed in-toto export with lineage=1 carries the exported edits’ lineage; verify --key passes, a changed lineage fails', async () => {
      const dir = tempDir('ll-shoa-export-');
      try {
        const jsonl = await api(server.url, token, '/api/v1/export?format=jsonl');
        assert.equal(jsonl.status, 200, jsonl.text);
        const asOf = jsonl.headers.get('x-lineagelens-as-of')!;
        const envelope = await api(server.url, token, `/api/v1/export?format=intoto&lineage=1&asOf=${asOf}`);
        assert.equal(envelope.status, 200, envelope.text);
        const payload = JSON.parse(Buffer.from((envelope.json as { payload: string }).payload, 'base64').toString('utf8')) as {
          predicate: { lineage: { target: string; entities: number; relations: number; document: { entity: Record<string, Record<string, unknown>>; wasGeneratedBy: Record<string, unknown>; hadMember: Record<string, Record<string, string>> } } };
        };
        const doc = payload.predicate.lineage.document;
        assert.match(payload.predicate.lineage.target, /1 exported edit/);
        assert.equal(doc.entity[qname(nodeId.edit(copilot.id))]?.['ll:tool'], 'copilot');
        assert.ok(Object.keys(doc.wasGeneratedBy).length >= 1, 'the edit generated by its session');
        assert.ok(Object.values(doc.hadMember).some((m) => m['prov:collection'] === qname(nodeId.commit(repoId, c.c1!))), 'landed in C1');
        assert.ok(!JSON.stringify(doc).includes('sum with tax'), 'no prompt text');

        const pub = await verifiedExport(dir, jsonl.text, envelope.text);

        // Tampering: drop the landed-in relation from the lineage inside the statement.
        const tampered = JSON.parse(JSON.stringify(payload)) as typeof payload;
        tampered.predicate.lineage.document.hadMember = {};
        const forged = { ...(envelope.json as Record<string, unknown>), payload: Buffer.from(JSON.stringify(tampered)).toString('base64') };
        writeFileSync(path.join(dir, 'export.intoto.json'), JSON.stringify(forged));
        const bad = cli(['verify', path.join(dir, 'export.intoto.json'), '--key', pub, '--json'], env);
        assert.equal(bad.status, 1, bad.stdout + bad.stderr);
        const kinds = (JSON.parse(bad.stdout) as { problems: { kind: string }[] }).problems.map((p) => p.kind);
        assert.ok(kinds.includes('signature') && kinds.includes('lineage'), kinds.join(','));

        const refused = await api(server.url, token, '/api/v1/export?format=jsonl&lineage=1');
        assert.equal(refused.status, 400);
        assert.match(refused.json.error!, /format=intoto/);
        assert.equal((await api(server.url, token, '/api/v1/export?format=intoto&lineage=yes')).status, 400);
        const openapi = await api(server.url, null, '/api/v1/openapi.json');
        assert.ok(JSON.stringify((openapi.json as { paths: Record<string, unknown> }).paths['/api/v1/export']).includes('"lineage"'), 'lineage is in the OpenAPI document');
      } finally {
        removeDir(dir);
      }
    });
    it('a lead’s signed export with lineage=1: an ancestor the lead may not read is a redacted node, its id nowhere; verify passes', async () => {
      // bob (team-b) uploads an AI edit that rewrote one of Copilot's lines; lara leads team-b.
      const admin = (p: string, body: unknown) => api(server.url, token, p, { body });
      assert.equal((await admin('/api/v1/teams', { name: 'team-b' })).status, 201);
      assert.equal((await admin('/api/v1/teams/team-b/members', { user: 'bob' })).status, 200);
      assert.equal((await admin('/api/v1/users', { name: 'lara', role: 'lead' })).status, 201);
      assert.equal((await admin('/api/v1/teams/team-b/members', { user: 'lara', lead: true })).status, 200);
      const laraToken = (await admin('/api/v1/tokens', { user: 'lara' })).json.token as string;
      const bobEdit = aiEdit(repoId, 'total.ts', 5, ['  return Number(taxed.toFixed(2)); // bob'], {
        time: new Date(Date.parse(copilot.time) + 3_600_000).toISOString(),
        sessionId: 'ses_bob',
        rangeBefore: { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } },
        deletedText: textContent(`${fn[3]}\n`),
      });
      const up = await api(server.url, bobToken, '/api/v1/records', { body: { source: 'laptop-bob', entries: chainEntries([bobEdit]).entries } });
      assert.equal(up.status, 200, up.text);

      const dir = tempDir('ll-shoa-lead-');
      try {
        const jsonl = await api(server.url, laraToken, '/api/v1/export?format=jsonl');
        assert.equal(jsonl.status, 200, jsonl.text);
        assert.deepEqual(jsonl.text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), [bobEdit.id], 'lara exports her team’s records only');
        const envelope = await api(server.url, laraToken, `/api/v1/export?format=intoto&lineage=1&asOf=${jsonl.headers.get('x-lineagelens-as-of')}`);
        assert.equal(envelope.status, 200, envelope.text);
        const statementText = Buffer.from((envelope.json as { payload: string }).payload, 'base64').toString('utf8');
        const doc = (JSON.parse(statementText) as { predicate: { lineage: { document: { entity: Record<string, Record<string, unknown>>; wasDerivedFrom: Record<string, Record<string, string>> } } } }).predicate.lineage.document;
        const mine = qname(nodeId.edit(bobEdit.id));
        assert.equal(doc.entity[mine]?.['ll:tool'], 'claude-code');
        const derived = Object.values(doc.wasDerivedFrom).find((d) => d['prov:generatedEntity'] === mine);
        assert.ok(derived, 'bob’s edit derives from an earlier one');
        assert.equal(doc.entity[derived['prov:usedEntity']!]?.['ll:redacted'], 'outside your access', 'Copilot’s edit is redacted for lara');
        assert.ok(!statementText.includes(copilot.id) && !statementText.includes('ses_totals') && !statementText.includes('gpt-4o'), 'nothing of the record lara may not read');
        await verifiedExport(dir, jsonl.text, envelope.text);
        // The same question as an admin shows Copilot's edit.
        const asAdmin = await api(server.url, token, `/api/v1/lineage?node=${encodeURIComponent(nodeId.edit(bobEdit.id))}`);
        assert.ok(asAdmin.text.includes(nodeId.edit(copilot.id)));
      } finally {
        removeDir(dir);
      }
    });
  });

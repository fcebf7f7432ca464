// Team-server sync from the editor, end to end: a real `lineagelens serve` process on a random loopback
// port, sign-in through the command (token checked by the server, kept in SecretStorage), AI edits made in
// this host, Sync Now, and the server asked what it holds. Then the server is stopped: more edits, Sync Now
// fails with the records still pending; the server restarts on the same data and every record arrives
// exactly once (counted by id, and by the server's upload-chain head against the outbox's).
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import type { LineageLensApi } from '../../src/extension/api';
import { activateApi, waitFor, workspaceDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface Server {
  url: string;
  adminToken: string | null;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `lineagelens serve` on 127.0.0.1 (port 0: a random free one), as test/unit/serverHarness.ts starts it. */
async function startServer(dataDir: string, port = 0): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    const check = () => {
      if (/listening on http:\/\/\S+/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the server exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url: /listening on (http:\/\/\S+)/.exec(out)![1]!,
    adminToken: /^\s+(llt_\S+)$/m.exec(out)?.[1] ?? null,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Every record the server lists (all pages), as ids with how often each appears. */
async function serverIds(base: string, token: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const page: { records: { id: string }[]; nextCursor: string | null } = await getJson(`${base}/api/v1/records?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    for (const r of page.records) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

function repoIdOf(r: ProvenanceRecord): string | undefined {
  return r.kind === 'edit' ? r.file.repo?.id : r.repo?.id;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => {
      try {
        return fs.statSync(f).isFile();
      } catch {
        return false; // removed while listing (sockets, temp files)
      }
    });
}

describe('team-server sync from the editor (real extension host, real server)', () => {
  let api: LineageLensApi;
  let dataDir: string;
  let server: Server;
  let adminToken: string;
  let repo: string;
  let repoId: string;
  const config = () => vscode.workspace.getConfiguration('lineagelens.sync');
  type State = ReturnType<LineageLensApi['testing']['syncState']>;
  const syncNow = () => Promise.resolve(vscode.commands.executeCommand<State>('lineagelens.syncNow', {}));

  /** An AI edit through chat editing in `name` of the test repository; resolves with the local records of the repository. */
  async function chatEdit(name: string, text: string): Promise<ProvenanceRecord[]> {
    const file = path.join(repo, name);
    if (!fs.existsSync(file)) fs.writeFileSync(file, '// base\n');
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId: `chat-sync-${name}-${Date.now().toString(36)}`,
      edits: [{ uri: vscode.Uri.file(file).toString(), line: 1, text }],
    });
    assert.equal(applied, true);
    await waitFor(
      `the chat edit record of ${name}`,
      async () => {
        await api.testing.captureIdle();
        return (await api.testing.storedRecords()).filter((r): r is EditEvent => r.kind === 'edit' && r.file.path === name && r.file.repo !== undefined);
      },
      (e) => e.length >= 1,
      15_000,
    );
    const edit = (await api.testing.storedRecords()).find((r): r is EditEvent => r.kind === 'edit' && r.file.path === name)!;
    repoId = edit.file.repo!.id;
    return (await api.testing.storedRecords()).filter((r) => repoIdOf(r) === repoId);
  }

  before(async function () {
    this.timeout(60_000);
    api = await activateApi();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-sync-server-'));
    server = await startServer(dataDir);
    assert.ok(server.adminToken, `the first start prints an admin token:\n${server.output()}`);
    adminToken = server.adminToken;
    repo = path.join(workspaceDir(), `sync-repo-${Date.now().toString(36)}`);
    fs.mkdirSync(repo, { recursive: true });
    fs.writeFileSync(path.join(repo, 'README.md'), '# sync\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.name', 'Sam Sync');
    git('config', 'user.email', 'sam@example.com');
    git('add', '.');
    git('commit', '-qm', 'base');
    // Only this repository: records other suites left in the store stay local.
    await config().update('repositories', [repo], vscode.ConfigurationTarget.Global);
    await config().update('intervalMinutes', 60, vscode.ConfigurationTarget.Global);
  });

  after(async function () {
    this.timeout(30_000);
    await config().update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('lineagelens.signOutOfServer', {});
    for (const key of ['serverUrl', 'repositories', 'intervalMinutes']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is off and invisible until enabled and signed in; a wrong token is refused and not kept', async function () {
    this.timeout(30_000);
    assert.equal(api.testing.syncState().status, 'off');
    assert.equal(api.testing.syncState().visible, false, 'no status bar item while sync is off');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('lineagelens.signInToServer', { url: server.url, token: 'llt_not-a-token' })),
      /refused the token \(HTTP 401/,
    );
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('lineagelens.signInToServer', { url: 'ftp://x', token: 'a' })), /bad arguments: url/);
    await config().update('enabled', true, vscode.ConfigurationTarget.Global);
    const off = await syncNow();
    assert.equal(off.status, 'off');
    assert.match(off.offReason, /not signed in|no team server/);

    const signed = await vscode.commands.executeCommand<{ server: string }>('lineagelens.signInToServer', { url: server.url, token: adminToken });
    assert.equal(signed.server, server.url.replace(/\/$/, ''));
    assert.equal(config().get('serverUrl'), signed.server, 'the URL (not the token) goes to settings');
    const on = await waitFor('sync on', () => api.testing.syncState(), (s) => s.status !== 'off', 10_000);
    assert.equal(on.visible, true);
    assert.equal(on.server, signed.server);
  });

  it('Sync Now uploads exactly the AI edits of the chosen repository', async function () {
    this.timeout(60_000);
    const local = await chatEdit('first.ts', 'export const first = () => 1;\n');
    const state = await syncNow();
    assert.equal(state.status, 'synced', `state: ${JSON.stringify(state)}`);
    assert.equal(state.pending, 0);
    const localLevel = vscode.workspace.getConfiguration('lineagelens').get<string>('privacy');
    assert.equal(state.privacy, localLevel === 'hash' || localLevel === 'off' ? localLevel : 'redacted', 'the upload level is the stricter of sync.privacy (redacted) and the local level');
    assert.match(api.testing.syncState().text, /synced/);
    assert.match(api.testing.syncState().tooltip, new RegExp(`Last sync: (?!never)`));

    const onServer = await serverIds(server.url, adminToken);
    const localIds = new Set(local.map((r) => r.id));
    assert.deepEqual(new Set(onServer.keys()), localIds, 'the server holds exactly this repository’s records');
    for (const [id, n] of onServer) assert.equal(n, 1, `${id} listed once`);
    const edit = local.find((r): r is EditEvent => r.kind === 'edit')!;
    const stored = await getJson<EditEvent>(`${server.url}/api/v1/records/${encodeURIComponent(edit.id)}`, adminToken);
    assert.equal(stored.file.path, 'first.ts');
    assert.equal(stored.contentHash, edit.contentHash, 'the edit arrived as recorded');
  });

  it('through a server outage nothing is lost: error and pending while down, every record exactly once after the restart', async function () {
    this.timeout(120_000);
    const port = Number(new URL(server.url).port);
    await server.stop();
    const local = await chatEdit('second.ts', 'export const second = () => 2;\n');
    const failed = await syncNow();
    assert.equal(failed.status, 'error', `state: ${JSON.stringify(failed)}`);
    assert.ok(failed.pending >= 1, `records pending while the server is down: ${failed.pending}`);
    assert.ok(failed.lastError && failed.lastError.length > 0);
    const shown = api.testing.syncState();
    assert.match(shown.text, /error/);
    assert.match(shown.tooltip, /Last error: /);
    assert.ok(shown.failures >= 1);
    // The pending entries are durable in the store's outbox.
    const outbox = path.join(api.testing.storeHome(), 'sync', 'outbox.jsonl');
    assert.ok(fs.readFileSync(outbox, 'utf8').trim().split('\n').length >= 1, 'the outbox holds the entries');

    server = await startServer(dataDir, port);
    assert.equal(server.adminToken, null, 'the same data: no new admin');
    const synced = await syncNow();
    assert.equal(synced.status, 'synced', `state: ${JSON.stringify(synced)}`);
    assert.equal(synced.pending, 0);

    const localNow = (await api.testing.storedRecords()).filter((r) => repoIdOf(r) === repoId);
    assert.ok(localNow.length >= local.length);
    const onServer = await serverIds(server.url, adminToken);
    assert.deepEqual(new Set(onServer.keys()), new Set(localNow.map((r) => r.id)), 'every record of both edits is on the server');
    for (const [id, n] of onServer) assert.equal(n, 1, `${id} listed once`);
    // Exactly once in the upload chain too: the server's head for this outbox is the outbox's own head.
    const state = JSON.parse(fs.readFileSync(path.join(api.testing.storeHome(), 'sync', 'state.json'), 'utf8')) as { source: string; base: { seq: number } };
    const pendingLines = fs.readFileSync(outbox, 'utf8').trim();
    const outboxHead = pendingLines ? (JSON.parse(pendingLines.split('\n').pop()!) as { entry: { seq: number } }).entry.seq : state.base.seq;
    const head = await getJson<{ seq: number }>(`${server.url}/api/v1/uploads/head?source=${encodeURIComponent(state.source)}`, adminToken);
    assert.equal(head.seq, outboxHead, 'the server stored each outbox entry once, none skipped');
    // Sync Now again: nothing new, nothing resent as new.
    const again = await syncNow();
    assert.equal(again.status, 'synced');
    assert.equal((await serverIds(server.url, adminToken)).size, onServer.size);
  });

  it('keeps the token out of settings, logs and the store; signing out forgets it and stops sync', async function () {
    this.timeout(30_000);
    // The runner's scratch folder holds the user data dir (settings) and the editor's logs next to LINEAGELENS_HOME.
    const home = process.env.LINEAGELENS_HOME;
    const scratch = home ? path.dirname(home) : undefined;
    const settingsFile = scratch ? path.join(scratch, 'user-data', 'User', 'settings.json') : undefined;
    if (settingsFile) {
      const settings = fs.readFileSync(settingsFile, 'utf8');
      assert.match(settings, /lineagelens\.sync\.serverUrl/, 'the user settings hold the sync settings');
      assert.ok(!settings.includes(adminToken), `the token is not in ${settingsFile}`);
    }
    const workspaceSettings = path.join(workspaceDir(), '.vscode', 'settings.json');
    if (fs.existsSync(workspaceSettings)) assert.ok(!fs.readFileSync(workspaceSettings, 'utf8').includes(adminToken));
    if (scratch) {
      // Our log channel's file: found by what we logged, so this check cannot pass by reading nothing.
      const logs = filesUnder(scratch).filter((f) => f.endsWith('.log'));
      const ours = logs.filter((f) => fs.readFileSync(f, 'utf8').includes('signed in to team server'));
      assert.ok(ours.length >= 1, `the LineageLens log among ${logs.length} log files`);
      for (const f of logs) assert.ok(!fs.readFileSync(f, 'utf8').includes(adminToken), `the token is not in ${f}`);
    }
    for (const f of filesUnder(api.testing.storeHome())) assert.ok(!fs.readFileSync(f, 'utf8').includes(adminToken), `the token is not in ${f}`);

    assert.equal(await vscode.commands.executeCommand('lineagelens.signOutOfServer', {}), true);
    const off = await waitFor('sync off', () => api.testing.syncState(), (s) => s.status === 'off', 10_000);
    assert.match(off.offReason, /not signed in/);
    assert.equal(off.visible, false);
  });
});

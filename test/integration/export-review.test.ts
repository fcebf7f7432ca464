// The editor side of git binding and exports, in a real extension host: "LineageLens: Export..." writes
// files the real CLI verifies (signed with the key the editor keeps in SecretStorage), a new commit made
// with real git is bound to the AI edit of its lines (through the built-in git extension when the host
// has it), and "Mark Reviewed" on an AI line writes a review mark that `lineagelens blame` shows.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import type { LineageLensApi } from '../../src/extension/api';
import { activateApi, waitFor, workspaceDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface BlameJsonLine {
  line: number;
  origin: 'ai' | 'human';
  editId?: string;
  review?: { status: string; by?: { osUser?: string; gitName?: string; gitEmail?: string } };
}

describe('export, review marks and commit binding from the editor (real extension host)', () => {
  let api: LineageLensApi;
  let repo: string;
  let file: string;
  let edit: EditEvent;
  let commit: string;
  const out = (name: string) => path.join(repo, 'exports', name);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

  before(async function () {
    this.timeout(60_000);
    api = await activateApi();
    repo = path.join(workspaceDir(), `export-repo-${Date.now().toString(36)}`);
    fs.mkdirSync(path.join(repo, 'exports'), { recursive: true });
    file = path.join(repo, 'calc.ts');
    fs.writeFileSync(file, Array.from({ length: 8 }, (_, i) => `export const base${i} = ${i};`).join('\n') + '\n');
    fs.writeFileSync(path.join(repo, '.gitignore'), 'exports/\n');
    git('init', '-q');
    git('config', 'user.name', 'Rita Reviewer');
    git('config', 'user.email', 'rita@example.com');
    git('add', '.');
    git('commit', '-qm', 'base');

    const sessionId = `chat-export-${Date.now().toString(36)}`;
    const text = 'export function areaOfCircle(radius: number): number {\n  return Math.PI * radius * radius;\n}\n';
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId,
      edits: [{ uri: vscode.Uri.file(file).toString(), line: 4, text }],
    });
    assert.equal(applied, true);
    const edits = await waitFor(
      'the chat edit record',
      async () => {
        await api.testing.captureIdle();
        return (await api.testing.storedRecords()).filter((r): r is EditEvent => r.kind === 'edit' && r.file.path === 'calc.ts' && r.sessionId !== undefined);
      },
      (e) => e.length === 1,
      15_000,
    );
    edit = edits[0]!;
    const doc = await vscode.workspace.openTextDocument(file);
    // save() answers false when the host has not yet marked the document dirty: save until the text is on disk.
    await waitFor(
      'the AI edit saved to disk',
      async () => {
        if (!fs.readFileSync(file, 'utf8').includes(text)) await doc.save();
        return fs.readFileSync(file, 'utf8').includes(text);
      },
      (onDisk) => onDisk,
      15_000,
    );
  });

  it('Export... writes a JSONL export the CLI verifies, a signed one with the SecretStorage key, and opens Markdown', async function () {
    this.timeout(90_000);
    const home = api.testing.storeHome();
    type Result = { records: number; out: string; signature: string | null; publicKeyFile?: string };

    const plain = await vscode.commands.executeCommand<Result>('lineagelens.export', { format: 'jsonl', out: out('all.jsonl'), scope: 'all' });
    assert.ok(plain.records >= 1, `records exported: ${plain.records}`);
    assert.equal(plain.signature, null);
    const ids = fs.readFileSync(out('all.jsonl'), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    assert.ok(ids.includes(edit.id), 'the chat edit is in the export');
    const unsigned = cli(['verify', out('all.jsonl'), '--home', home, '--json']);
    assert.match(unsigned.stdout, /record/, unsigned.stderr);
    assert.doesNotMatch(unsigned.stdout, /record_changed|record_missing|chain_link|records_reordered/, 'the records match their chain');

    // "This repository" is the repository of the active file.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('lineagelens.export', { format: 'jsonl', out: out('none.jsonl'), scope: 'file' })),
      /needs an open file/,
    );
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const one = await vscode.commands.executeCommand<Result>('lineagelens.export', { format: 'csv', out: out('file.csv'), scope: 'file' });
    const rows = fs.readFileSync(out('file.csv'), 'utf8').trimEnd().split('\r\n');
    assert.equal(rows.length, one.records + 1, 'a header and one row per record');
    assert.ok(rows.slice(1).every((r) => r.includes('calc.ts')), 'only this file’s records');
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const signed = await vscode.commands.executeCommand<Result>('lineagelens.export', { format: 'jsonl', out: out('repo.jsonl'), scope: 'repository', sign: true });
    assert.ok(signed.signature && fs.existsSync(signed.signature), 'a signature file beside the export');
    assert.ok(signed.publicKeyFile && fs.existsSync(signed.publicKeyFile));
    const repoIds = fs.readFileSync(out('repo.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; file?: { path: string } });
    assert.ok(repoIds.length >= 1 && repoIds.filter((r) => r.kind === 'edit').every((r) => r.file?.path === 'calc.ts'), 'only this repository’s edits');
    const verified = cli(['verify', out('repo.jsonl'), '--key', signed.publicKeyFile!, '--home', home]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /export verified/);
    const keyDir = path.dirname(signed.publicKeyFile!);
    for (const f of fs.readdirSync(keyDir)) assert.doesNotMatch(fs.readFileSync(path.join(keyDir, f), 'utf8'), /PRIVATE KEY/, `${f} holds no private key`);

    // Tampering is caught: the export and its signature no longer agree.
    fs.appendFileSync(out('repo.jsonl'), '\n');
    const tampered = cli(['verify', out('repo.jsonl'), '--key', signed.publicKeyFile!, '--home', home]);
    assert.equal(tampered.status, 1, tampered.stdout);

    // The same key signs the next export (kept in SecretStorage, not regenerated).
    const again = await vscode.commands.executeCommand<Result>('lineagelens.export', { format: 'intoto', out: out('all.intoto.json'), scope: 'all' });
    assert.equal(again.publicKeyFile, signed.publicKeyFile);
    const intoto = cli(['verify', out('all.intoto.json'), '--key', again.publicKeyFile!, '--home', home]);
    assert.equal(intoto.status, 0, intoto.stdout + intoto.stderr);

    const md = await vscode.commands.executeCommand<Result>('lineagelens.export', { format: 'markdown', out: out('report.md'), scope: 'all' });
    assert.ok(md.records >= 1);
    await waitFor('the report opened in an editor', () => vscode.window.activeTextEditor?.document.uri.fsPath, (p) => p === out('report.md'), 10_000);

    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('lineagelens.export', { format: 'pdf', out: out('x.pdf') })),
      /bad arguments/,
      'arguments are validated',
    );
  });

  it('binds a commit made with real git to the AI edit of its lines (git extension when present)', async function () {
    this.timeout(90_000);
    type GitApiLike = { repositories: { rootUri: vscode.Uri; state: { HEAD?: { commit?: string } }; status(): Promise<void> }[] };
    let gitApi: GitApiLike | undefined;
    const state = await waitFor('commit detection to start', () => api.testing.commitWatcher(), (s) => s.watching !== 'pending', 15_000);
    if (state.watching === 'git-extension') {
      // The git extension opens a repository some time after a file of it is opened: commit after that.
      gitApi = vscode.extensions.getExtension<{ getAPI(v: 1): GitApiLike }>('vscode.git')!.exports.getAPI(1);
      await waitFor(
        'the git extension to open the test repository',
        () => gitApi!.repositories.find((r) => r.rootUri.fsPath === repo)?.state.HEAD?.commit ?? null,
        (c) => c !== null,
        30_000,
      );
    }
    git('add', 'calc.ts');
    git('commit', '-qm', 'add areaOfCircle');
    commit = git('rev-parse', 'HEAD');
    if (state.watching === 'git-extension') {
      // The git extension learns of the commit from its .git file watcher, or when the window gains focus,
      // which a headless browser never does: past 10 s, ask it to refresh as focus would.
      const since = Date.now();
      let refreshed = false;
      const bound = await waitFor(
        'the git extension to report the commit and the bind to run',
        async () => {
          if (!refreshed && Date.now() - since > 10_000) {
            refreshed = true;
            await gitApi!.repositories.find((r) => r.rootUri.fsPath === repo)?.status();
          }
          return api.testing.commitWatcher().bound;
        },
        (b) => b.some((x) => x.commit === commit),
        45_000,
      );
      if (refreshed) console.log('      (the git extension saw the commit only after a refresh, as on window focus)');
      assert.equal(bound.find((b) => b.commit === commit)!.aiLines, 3);
    } else {
      // No git extension in this host: bind as commit detection would.
      console.log('      (no git extension in this host: binding through the same function directly)');
      const r = await api.testing.bindCommit(repo, commit);
      assert.equal(r?.aiLines, 3);
    }
    const blame = cli(['blame', 'calc.ts', '--json', '--home', api.testing.storeHome()], repo);
    assert.equal(blame.status, 0, blame.stderr);
    const lines = (JSON.parse(blame.stdout) as { lines: BlameJsonLine[] }).lines;
    assert.deepEqual(lines.filter((l) => l.origin === 'ai').map((l) => l.line), [5, 6, 7]);
    assert.ok(lines.filter((l) => l.origin === 'ai').every((l) => l.editId === edit.id && l.review?.status === 'unreviewed'));
  });

  it('Mark Reviewed on an AI line writes a review mark that blame shows, and the hover tells', async function () {
    this.timeout(60_000);
    assert.ok(commit, 'runs after the commit test');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const ai = await waitFor('AI lines tracked in the document', () => api.testing.aiLines(doc.uri.toString()), (l) => l.length === 3, 10_000);
    editor.selection = new vscode.Selection(ai[1]!.line, 3, ai[1]!.line, 3);
    // A human line first: nothing to review.
    const none = await (async () => {
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      return vscode.commands.executeCommand<unknown[]>('lineagelens.markReviewed');
    })();
    assert.deepEqual(none, []);
    editor.selection = new vscode.Selection(ai[1]!.line, 3, ai[1]!.line, 3);
    const marks = await vscode.commands.executeCommand<{ target: { editId?: string }; by: { gitName?: string; osUser: string } }[]>('lineagelens.markReviewed');
    assert.equal(marks.length, 1);
    assert.deepEqual(marks[0]!.target, { editId: edit.id });
    assert.equal(marks[0]!.by.gitName, 'Rita Reviewer', 'the repository’s git identity reviews');

    const blame = cli(['blame', 'calc.ts', '--json', '--home', api.testing.storeHome()], repo);
    assert.equal(blame.status, 0, blame.stderr);
    const aiLines = (JSON.parse(blame.stdout) as { lines: BlameJsonLine[] }).lines.filter((l) => l.origin === 'ai');
    assert.equal(aiLines.length, 3);
    for (const l of aiLines) {
      assert.equal(l.review?.status, 'reviewed', `line ${l.line}`);
      assert.equal(l.review?.by?.gitEmail, 'rita@example.com');
    }

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(ai[0]!.line, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*Reviewed\*\* by Rita Reviewer/);
    await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(ai[0]!.line, 0, ai[0]!.line, 0);
    await vscode.commands.executeCommand('lineagelens.showProvenanceForLine');
    const report = vscode.workspace.textDocuments.find((d) => d.isUntitled && d.getText().startsWith('# Provenance of') && d.getText().includes(edit.id));
    assert.match(report?.getText() ?? '', /\*\*Reviewed\*\* by Rita Reviewer/, 'the provenance report shows the review');

    // A whole session from the sessions view (its node is what the context menu passes).
    const sessionMarks = await vscode.commands.executeCommand<{ target: { sessionId?: string } }[]>('lineagelens.markReviewed', {
      kind: 'session',
      session: { id: edit.sessionId },
    });
    assert.deepEqual(sessionMarks.map((m) => m.target), [{ sessionId: edit.sessionId }]);
  });
});

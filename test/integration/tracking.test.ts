// Line tracking in the real host: AI lines stay on the right lines through edits above, inside and below,
// a save (anchors written as hashes), a rewrite on disk that inserts lines above, and a simulated
// `git checkout` that takes the AI text away and brings it back (re-anchored from the saved anchors).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateApi, focusEditorText, typeKeys, uniqueFile, waitFor } from './helpers';

/** Types at a position with real keys (the person's edits), through the harness's keyboard bridge. */
async function typeAt(editor: vscode.TextEditor, line: number, character: number, text: string): Promise<void> {
  const at = new vscode.Position(line, character);
  editor.selection = new vscode.Selection(at, at);
  await focusEditorText();
  const before = editor.document.getText().length;
  await typeKeys(text);
  await waitFor('the typed text', () => editor.document.getText().length, (n) => n >= before + text.length, 30_000);
}

const AI_TEXT = 'function total(items) {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n';

async function aiLineNumbers(uri: vscode.Uri): Promise<number[]> {
  const api = await activateApi();
  await api.testing.captureIdle();
  return api.testing.aiLines(uri.toString()).map((l) => l.line);
}

describe('line tracking (real extension host)', function () {
  // Many steps through the real editor, disk and keyboard; on a loaded 2-core machine they take a while.
  // Plain-text files: opening the run's first JavaScript file would start the TypeScript server in the
  // same extension host, which on 2 busy cores stalled these steps for tens of seconds in CI.
  this.timeout(120_000);
  it('keeps AI lines right through edits, a save, a rewrite on disk and a checkout there and back', async () => {
    const api = await activateApi();
    const uri = uniqueFile('tracked.txt');
    const human = '// header written by a person\nconst a = 1;\n';
    fs.writeFileSync(uri.fsPath, human);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId: `chat-track-${Date.now().toString(36)}`,
      edits: [{ uri: uri.toString(), line: 2, text: AI_TEXT }],
    });
    assert.equal(applied, true);
    await waitFor('the AI lines', () => aiLineNumbers(uri), (l) => l.length === 3, 30_000);
    assert.deepEqual(await aiLineNumbers(uri), [2, 3, 4]);

    // A line typed above shifts them; a human edit inside marks that line modified; below changes nothing.
    await typeAt(editor, 0, 0, '// one more line above\n');
    assert.deepEqual(await aiLineNumbers(uri), [3, 4, 5]);
    await typeAt(editor, 4, 2, '/* checked */ ');
    await api.testing.captureIdle();
    const modified = api.testing.aiLines(uri.toString()).filter((l) => l.modified).map((l) => l.line);
    assert.ok(modified.includes(4), `line 4 is marked modified (modified: ${modified.join(',')})`);
    await typeAt(editor, editor.document.lineCount - 1, 0, '// below\n');
    assert.deepEqual(await aiLineNumbers(uri), [3, 4, 5]);
    assert.equal(api.testing.decoratedLineCount(uri.toString()), 3, 'the gutter draws the three AI lines');

    // Saved: anchors (hashes only) are written for the document.
    await editor.document.save();
    const trackingDir = path.join(api.testing.storeHome(), 'tracking');
    await waitFor('the tracking snapshot', () => fs.existsSync(trackingDir) && fs.readdirSync(trackingDir).length > 0, (v) => v, 5_000);
    const saved = editor.document.getText();
    for (const f of fs.readdirSync(trackingDir)) {
      assert.ok(!fs.readFileSync(path.join(trackingDir, f), 'utf8').includes('reduce'), 'snapshots hold hashes, never code');
    }

    // Another tool rewrites the file on disk with two lines inserted at the top.
    fs.writeFileSync(uri.fsPath, `// added on disk 1\n// added on disk 2\n${saved}`);
    await waitFor('the reload', () => editor.document.getText(), (t) => t.startsWith('// added on disk 1'), 30_000);
    await waitFor('the AI lines to follow the rewrite', () => aiLineNumbers(uri), (l) => l.join() === '5,6,7', 30_000);

    // `git checkout` of a version without the AI function, then back.
    fs.writeFileSync(uri.fsPath, human);
    await waitFor('the checkout', () => editor.document.getText(), (t) => t === human, 30_000);
    await waitFor('no AI lines on the other branch', () => aiLineNumbers(uri), (l) => l.length === 0, 30_000);
    fs.writeFileSync(uri.fsPath, saved);
    await waitFor('the checkout back', () => editor.document.getText(), (t) => t === saved, 30_000);
    await waitFor('the AI lines re-anchored from the saved anchors', () => aiLineNumbers(uri), (l) => l.join() === '3,4,5', 30_000);
  });
});

describe('line tracking across a restart (real extension host)', function () {
  this.timeout(120_000);
  it('re-anchors saved anchors when a document is opened (as after closing it or restarting VS Code)', async () => {
    const api = await activateApi();
    const first = uniqueFile('before-restart.txt');
    fs.writeFileSync(first.fsPath, '// kept by a person\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(first), { preview: false });
    await vscode.commands.executeCommand('lineagelensCompanion.applyChatEdit', {
      sessionId: `chat-restart-${Date.now().toString(36)}`,
      edits: [{ uri: first.toString(), line: 1, text: AI_TEXT }],
    });
    await waitFor('the AI lines', () => aiLineNumbers(first), (l) => l.join() === '1,2,3', 30_000);
    await editor.document.save();
    const key = (u: vscode.Uri) => createHash('sha256').update(u.toString()).digest('hex').slice(0, 40);
    const saved = path.join(api.testing.storeHome(), 'tracking', `${key(first)}.json`);
    await waitFor('the saved anchors', () => fs.existsSync(saved), (v) => v, 30_000);

    // "Restart": a document the editor has not seen yet, whose saved anchors are on disk (as they would be
    // for this file after a restart), opened with two lines added above while VS Code was away.
    const reopened = uniqueFile('after-restart.txt');
    fs.copyFileSync(saved, path.join(api.testing.storeHome(), 'tracking', `${key(reopened)}.json`));
    fs.writeFileSync(reopened.fsPath, `// added while closed\n// and another\n${editor.document.getText()}`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(reopened), { preview: false });
    await waitFor('the AI lines re-anchored on open', () => aiLineNumbers(reopened), (l) => l.join() === '3,4,5', 30_000);
  });
});

// The local store behind the extension, in the real host: what capture writes is durable in the store
// (journal + index in ~/.lineagelens or LINEAGELENS_HOME), the latest disposition wins, and the chain
// of the store verifies.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import { activateApi, uniqueFile, waitFor, workspaceDir } from './helpers';

describe('local provenance store (real extension host)', () => {
  it('holds what capture wrote, with the latest disposition, in the store home of this run', async () => {
    const api = await activateApi();
    const uri = uniqueFile('stored.txt');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('first line\n', 'utf8'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId: `chat-store-${Date.now().toString(36)}`,
      edits: [{ uri: uri.toString(), line: 1, text: 'from the agent\n' }],
    });
    assert.equal(applied, true, 'the companion applied the chat edit');
    await waitFor('the chat edit', () => editor.document.getText(), (t) => t === 'first line\nfrom the agent\n');
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo', () => editor.document.getText(), (t) => t === 'first line\n');
    await api.testing.captureIdle();

    const relative = path.relative(workspaceDir(), uri.fsPath).split(path.sep).join('/');
    const stored = await waitFor(
      'the store to index the rejected edit',
      async () => (await api.testing.storedRecords(relative)).filter((r): r is EditEvent => r.kind === 'edit'),
      (edits) => edits.length === 1 && edits[0]!.disposition === 'rejected',
      10_000,
    );
    assert.equal(stored[0]!.insertedText.form === 'redacted' || stored[0]!.insertedText.form === 'text', true, 'code kept per the default privacy level');
    assert.equal(stored[0]!.capture.method, 'editor_scheme');

    const home = api.testing.storeHome();
    assert.equal(home, process.env.LINEAGELENS_HOME, 'the run keeps the store out of ~');
    assert.ok(fs.readdirSync(path.join(home, 'journal')).some((f) => f.endsWith('.jsonl')), 'a journal segment exists');
  });
});

// A chat/agent edit that creates a file through a WorkspaceEdit (createFile + insert), as agents create
// new files: the new file's text is recorded as the agent's, in its session.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import { activateApi, uniqueFile, waitFor, workspaceDir } from './helpers';

describe('capture: files created by a chat edit (real extension host)', () => {
  it('records the text of a file created through a WorkspaceEdit as the agent’s', async () => {
    const api = await activateApi();
    const uri = uniqueFile('created-by-agent.ts');
    const text = 'export const answer = 42;\nexport const question = "unknown";\n';
    const sessionId = `chat-create-${Date.now().toString(36)}`;
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId,
      edits: [{ uri: uri.toString(), line: 0, text, create: true }],
    });
    assert.equal(applied, true, 'the WorkspaceEdit created the file');
    const relative = path.relative(workspaceDir(), uri.fsPath).split(path.sep).join('/');
    const edits = await waitFor(
      'the created file’s edit record',
      async () => {
        await api.testing.captureIdle();
        return api.testing.records().filter((r): r is EditEvent => r.kind === 'edit' && r.file.path === relative);
      },
      (e) => e.length > 0,
      10_000,
    );
    assert.equal(edits.length, 1);
    assert.equal(edits[0]!.insertedText.form === 'text' && edits[0]!.insertedText.text, text);
    assert.equal(edits[0]!.capture.method, 'editor_scheme');
    assert.equal(edits[0]!.disposition, 'pending');
  });
});

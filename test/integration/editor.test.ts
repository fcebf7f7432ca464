import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LineageLensApi } from '../../src/extension/api';
import { activateApi, uniqueFile, waitFor } from './helpers';

async function openFile(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = uniqueFile(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

describe('editor', () => {
  let api: LineageLensApi;

  before(async () => {
    api = await activateApi();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('sees an edit made through the editor', async () => {
    const editor = await openFile('capture.ts', 'export const a = 1;\n');
    const uri = editor.document.uri.toString();
    const before = api.testing.changesSeen(uri);
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'export const b = 2;\n')), 'edit applied');
    await api.testing.flush();
    await waitFor('changesSeen to grow', () => api.testing.changesSeen(uri), (n) => n > before);
  });

  it('sees an edit made through a WorkspaceEdit', async () => {
    const editor = await openFile('workspace-edit.ts', 'line 1\nline 2\n');
    const uri = editor.document.uri.toString();
    const before = api.testing.changesSeen(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, new vscode.Range(0, 0, 0, 6), 'first line');
    assert.ok(await vscode.workspace.applyEdit(edit), 'workspace edit applied');
    await api.testing.flush();
    await waitFor('changesSeen to grow', () => api.testing.changesSeen(uri), (n) => n > before);
  });

  it('decorates lines through its gutter decorator', async () => {
    const editor = await openFile('gutter.ts', 'one\ntwo\nthree\nfour\n');
    const uri = editor.document.uri.toString();
    api.testing.setTestDecoration(uri, [0, 2]);
    await waitFor('two decorated lines', () => api.testing.decoratedLineCount(uri), (n) => n === 2);
    api.testing.setTestDecoration(uri, []);
    await waitFor('no decorated line', () => api.testing.decoratedLineCount(uri), (n) => n === 0);
  });
});

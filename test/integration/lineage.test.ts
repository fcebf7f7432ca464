// The hover's Ancestry line in a real extension host: one chat edit writes a function, a second chat edit
// rewrites it (VS Code turns the replacement into minimal insertions inside the first edit's text, which
// delete nothing); the hover on the new line names both steps, oldest first.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import { activateApi, uniqueFile, waitFor } from './helpers';

const hoverText = async (uri: vscode.Uri, line: number) =>
  (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 4)))
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
    .join('\n');

describe('lineage in the hover (real extension host)', () => {
  it('a line one chat session wrote and another rewrote shows both steps as its ancestry', async function () {
    this.timeout(60_000);
    const api = await activateApi();
    const uri = uniqueFile('ancestry.txt');
    fs.writeFileSync(uri.fsPath, '// Written by a person.\n\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const first = `chat-first-${Date.now().toString(36)}`;
    const second = `chat-second-${Date.now().toString(36)}`;
    const v1 = 'function scaleAll(values, factor) {\n  return values.map((value) => value * factor);\n}\n';
    const v2 = 'function scaleAll(values, factor = 1) {\n  if (!Array.isArray(values)) throw new TypeError("values");\n  return values.map((value) => value * factor);\n}\n';

    const name = uri.path.split('/').pop()!;
    const stored = async () => {
      await api.testing.captureIdle();
      return (await api.testing.storedRecords()).filter((r): r is EditEvent => r.kind === 'edit' && r.file.path.endsWith(name)).sort((a, b) => a.time.localeCompare(b.time));
    };
    assert.equal(await vscode.commands.executeCommand('lineagelensCompanion.applyChatEdit', { sessionId: first, edits: [{ uri: uri.toString(), line: 1, text: v1 }] }), true);
    await waitFor('the first session’s edit stored', stored, (e) => e.length === 1, 15_000);
    // Only one step so far: the hover has no ancestry line.
    assert.doesNotMatch(await hoverText(uri, 2), /Ancestry/);

    assert.equal(await vscode.commands.executeCommand('lineagelensCompanion.applyChatEdit', { sessionId: second, edits: [{ uri: uri.toString(), line: 1, text: v2, replaceLines: 3 }] }), true);
    // VS Code applies the replacement as minimal edits (here: " = 1" and one new line), each recorded.
    const all = await waitFor('the second session’s edits stored', stored, (e) => e.length >= 2, 15_000);
    const original = all[0]!;
    const aiLine = await waitFor('line 2 tracked as the rewrite', () => api.testing.aiLines(uri.toString()).find((l) => l.line === 2), (l) => !!l && l.recordId !== original.id, 10_000);
    assert.ok(all.some((e) => e.id === aiLine!.recordId), 'the rewrite is a stored edit');

    const text = await waitFor('the hover with its ancestry', () => hoverText(uri, 2), (t) => /Ancestry/.test(t), 10_000);
    assert.match(text, /\*\*Ancestry:\*\* \S+.* → rewritten by \S+/);
    assert.equal((text.match(/→/g) ?? []).length, 1, `two steps: ${text}`);
  });
});

import * as vscode from 'vscode';
import type { ChangeClassifier } from '../../core/capture/classifier';
import { inlineCompletionTool } from '../../core/capture/tools';
import type { Log } from '../log';

/**
 * Our Tab (and Ctrl+Right) keybindings run these wrappers instead of core's accept commands, with core's
 * exact when-clauses (see package.json). A wrapper notes the document version, claims the change that is
 * about to come, and runs the original command. Tab must behave exactly as before: the claim is best
 * effort (any failure is logged and ignored) and the original command always runs, with the same args.
 */
export const INLINE_ACCEPT_COMMANDS = [
  { id: 'lineagelens.acceptInlineSuggestion', original: 'editor.action.inlineSuggest.commit' },
  { id: 'lineagelens.acceptInlineSuggestionNextWord', original: 'editor.action.inlineSuggest.acceptNextWord' },
  { id: 'lineagelens.acceptInlineSuggestionNextLine', original: 'editor.action.inlineSuggest.acceptNextLine' },
] as const;

export function registerInlineAcceptCommands(classifier: ChangeClassifier, log: Log): vscode.Disposable[] {
  let activeExtensions: { id: string; version?: string }[] | undefined;
  const listActive = () =>
    (activeExtensions ??= vscode.extensions.all
      .filter((e) => e.isActive)
      .map((e) => ({ id: e.id, version: (e.packageJSON as { version?: string }).version })));
  const refresh = vscode.extensions.onDidChange(() => (activeExtensions = undefined));

  const commands = INLINE_ACCEPT_COMMANDS.map(({ id, original }) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      let noted: { uri: string; version: number; document: vscode.TextDocument } | undefined;
      try {
        const editor = vscode.window.activeTextEditor;
        if (editor) {
          const { tool, known } = inlineCompletionTool({ appName: vscode.env.appName, activeExtensions: listActive() });
          noted = { uri: editor.document.uri.toString(), version: editor.document.version, document: editor.document };
          classifier.claim({
            uri: noted.uri,
            versionBefore: noted.version,
            time: Date.now(),
            method: 'keybinding',
            // The acceptance itself is certain; which provider made the suggestion is less so when unknown.
            confidence: known ? 0.98 : 0.9,
            tool,
            detail: original,
          });
        }
      } catch (err) {
        log.error(`inline accept: could not note the acceptance (${original})`, err);
      }
      try {
        return await vscode.commands.executeCommand(original, ...args);
      } finally {
        if (noted && noted.document.version === noted.version) classifier.withdraw(noted.uri, noted.version, 'keybinding');
      }
    }),
  );
  return [refresh, ...commands];
}

import * as vscode from 'vscode';
import type { ChangeClassifier } from '../../core/capture/classifier';

/**
 * VS Code labels no change as a paste. A paste-edit provider is asked before every paste in an editor;
 * ours only notes the document version (so the coming change is known to be the person's paste) and
 * offers no edit, leaving the paste exactly as it would have been.
 */
export function registerPasteObserver(classifier: ChangeClassifier): vscode.Disposable {
  const kind = vscode.DocumentDropOrPasteEditKind.Empty.append('lineagelens', 'observe');
  return vscode.languages.registerDocumentPasteEditProvider(
    { pattern: '**' },
    {
      provideDocumentPasteEdits(document) {
        classifier.notePaste(document.uri.toString(), document.version);
        return undefined;
      },
    },
    { providedPasteEditKinds: [kind], pasteMimeTypes: ['text/plain', 'text/*', '*/*'] },
  );
}

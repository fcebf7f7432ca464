import * as vscode from 'vscode';
import type { ChangeClassifier } from '../../core/capture/classifier';

/**
 * Files changed on disk by something other than this editor (an agent writing files, a script, git).
 * The watcher only notes that a file changed; the classifier records a change as `external` (low
 * confidence) when it is a reload — it leaves the document clean — and a disk write was noted next to
 * it, in either order. Never human typing, never dropped; an agent connector that vouches for the write
 * turns it into AI with the agent's prompt and model. Writes that VS Code does not reload (an unchanged
 * file, a dirty document) produce no change, so nothing is recorded and nothing is left waiting.
 */
export class ExternalWriteWatcher implements vscode.Disposable {
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly classifier: ChangeClassifier) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    this.subscription = this.watcher.onDidChange((uri) => this.classifier.noteDiskChange(uri.toString(), Date.now()));
  }

  dispose(): void {
    this.subscription.dispose();
    this.watcher.dispose();
  }
}

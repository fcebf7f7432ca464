import * as vscode from 'vscode';
import type { ChangeClassifier } from '../../core/capture/classifier';

/**
 * Files changed on disk by something other than this editor (an agent writing files, a script, git).
 * The watcher fires before VS Code reloads an open, clean document, so the reload's change can be claimed
 * as `external` (low confidence): never human typing, never dropped. An agent connector that vouches for
 * the write (hooks, transcripts) turns it into AI with the agent's prompt and model.
 * A dirty document is never reloaded by VS Code, so there is nothing to claim for it.
 */
export const EXTERNAL_WRITE_CONFIDENCE = 0.3;

/** The watcher also reports this editor's own saves; a disk change this soon after a save is ours. */
const OWN_SAVE_ECHO_MS = 2_000;

export class ExternalWriteWatcher implements vscode.Disposable {
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly subscriptions: vscode.Disposable[];
  private readonly savedAt = new Map<string, number>();

  constructor(private readonly classifier: ChangeClassifier) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    this.subscriptions = [
      this.watcher.onDidChange((uri) => this.onDiskChange(uri)),
      vscode.workspace.onDidSaveTextDocument((d) => this.savedAt.set(d.uri.toString(), Date.now())),
      vscode.workspace.onDidCloseTextDocument((d) => this.savedAt.delete(d.uri.toString())),
    ];
  }

  private onDiskChange(uri: vscode.Uri): void {
    const key = uri.toString();
    const saved = this.savedAt.get(key);
    if (saved !== undefined && Date.now() - saved < OWN_SAVE_ECHO_MS) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (!doc || doc.isDirty) return;
    this.classifier.claim({
      uri: key,
      versionBefore: doc.version,
      time: Date.now(),
      method: 'external',
      confidence: EXTERNAL_WRITE_CONFIDENCE,
      tool: { name: 'external' },
      detail: 'file changed on disk',
      // Only the reload itself is external; a keystroke that happens to follow stays the person's.
      skipKeystrokes: true,
    });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.watcher.dispose();
  }
}

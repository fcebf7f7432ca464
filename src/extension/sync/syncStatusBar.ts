import * as vscode from 'vscode';
import type { SyncService, SyncState } from './syncService';

/** The status bar text of a sync state ('' when sync is off: the item is hidden). */
export function syncStatusText(state: SyncState): string {
  const spin = state.running ? '$(sync~spin) ' : '';
  switch (state.status) {
    case 'off':
      return '';
    case 'synced':
      return `${spin || '$(cloud) '}synced`;
    case 'pending':
      return `${spin || '$(cloud-upload) '}pending${state.pending > 0 ? ` ${state.pending}` : ''}`;
    case 'error':
      return `${spin || '$(warning) '}sync error${state.pending > 0 ? ` (pending ${state.pending})` : ''}`;
  }
}

export function syncTooltip(state: SyncState): string {
  const lines = [`LineageLens team server: ${state.server ?? '(none)'}`];
  lines.push(`Last sync: ${state.lastSyncAt ? new Date(state.lastSyncAt).toLocaleString() : 'never'}`);
  if (state.pending > 0) lines.push(`Pending: ${state.pending} record${state.pending === 1 ? '' : 's'}`);
  if (state.privacy) lines.push(`Uploaded at privacy level: ${state.privacy}`);
  if (state.status === 'error' && state.lastError) lines.push(`Last error: ${state.lastError}`);
  lines.push('Click to sync now');
  return lines.join('\n');
}

/** "synced" / "pending N" / "sync error": shown only while sync is on. Click: Sync Now. */
export class SyncStatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(sync: SyncService) {
    this.subscription = sync.onDidChange((s) => this.render(s));
    this.render(sync.current);
  }

  get text(): string {
    return this.item?.text ?? '';
  }
  get tooltip(): string {
    return typeof this.item?.tooltip === 'string' ? this.item.tooltip : '';
  }
  get visible(): boolean {
    return this.item !== undefined;
  }

  private render(state: SyncState): void {
    const text = syncStatusText(state);
    if (!text) {
      this.item?.dispose();
      this.item = undefined;
      return;
    }
    if (!this.item) {
      // Created on first use: nothing appears (or is allocated) while sync is off.
      this.item = vscode.window.createStatusBarItem('lineagelens.sync', vscode.StatusBarAlignment.Right, 99);
      this.item.name = 'LineageLens Sync';
      this.item.command = 'lineagelens.syncNow';
    }
    this.item.text = text;
    this.item.tooltip = syncTooltip(state);
    this.item.backgroundColor = state.status === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item?.dispose();
  }
}

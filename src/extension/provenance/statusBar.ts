import * as vscode from 'vscode';
import { debounce, type Debounced } from '../../core/util/debounce';
import type { DocumentTracking } from './documentTracking';

/** Above this many lines the share is not computed (it reads every line). */
const MAX_LINES_FOR_SHARE = 50_000;

/** "AI 23%": the share of non-empty lines of the active file written by AI. Click: the sessions view. */
export class AiShareStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('lineagelens.aiShare', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];
  private readonly schedule: Debounced;

  constructor(private readonly tracking: DocumentTracking) {
    this.item.name = 'LineageLens AI share';
    this.item.command = 'lineagelens.sessions.focus';
    this.schedule = debounce(() => this.update(), 200, 1_000);
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      tracking.onDidChange(() => this.schedule()),
    ];
    this.update();
  }

  /** The text shown now (for tests). */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const share = doc && doc.lineCount <= MAX_LINES_FOR_SHARE ? this.tracking.aiShare(doc) : undefined;
    if (!share) {
      this.item.hide();
      return;
    }
    const pct = share.lines === 0 ? 0 : Math.round((share.aiLines / share.lines) * 100);
    this.item.text = `$(sparkle) AI ${pct}%`;
    this.item.tooltip = `${share.aiLines} of ${share.lines} non-empty lines in this file were written by AI (LineageLens). Click for AI edit sessions.`;
    this.item.show();
  }

  dispose(): void {
    this.schedule.cancel();
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

import * as vscode from 'vscode';
import { debounce, type Debounced } from '../../core/util/debounce';
import type { DocumentTracking } from '../provenance/documentTracking';

/** Tools with their own bar colour (theme colours `lineagelens.tool.<colour id>` in package.json). */
export const TOOL_COLOR_KEYS = ['copilot', 'cursor', 'claude-code', 'codex', 'windsurf', 'other'] as const;
type ToolKey = (typeof TOOL_COLOR_KEYS)[number];

/** Theme colour ids may hold only letters, digits and dots. */
const colorIdOf = (tool: ToolKey) => `lineagelens.tool.${tool.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`;

/** Lines above and below the visible range that are decorated too, so scrolling does not flash. */
const VIEWPORT_MARGIN = 50;

export function toolColorKey(toolName: string | undefined): ToolKey {
  return (TOOL_COLOR_KEYS as readonly string[]).includes(toolName ?? '') ? (toolName as ToolKey) : 'other';
}

/**
 * Draws the provenance bar: a thin `before` bar on every AI line (one colour per tool; dashed where a
 * person changed the line since), nothing on human lines. The decoration types are created once for
 * the extension's life (no churn); only visible editors are rendered, only their visible ranges plus a
 * margin, and re-rendering after edits is debounced.
 */
export class GutterDecorator implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly testLines = new Map<string, number[]>();
  private readonly rendered = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly scheduleRender: Debounced;
  private enabled: boolean;

  constructor(
    private readonly tracking: DocumentTracking,
    private readonly toolOf: (recordId: string) => string | undefined,
  ) {
    for (const tool of TOOL_COLOR_KEYS) {
      const color = new vscode.ThemeColor(colorIdOf(tool));
      this.types.set(`${tool}:ai`, vscode.window.createTextEditorDecorationType({ before: { contentText: '\u200b', width: '3px', margin: '0 6px 0 0', backgroundColor: color } }));
      this.types.set(
        `${tool}:modified`,
        // Hollow, dotted bar: AI text a person has changed since.
        vscode.window.createTextEditorDecorationType({ before: { contentText: '\u200b', width: '3px', margin: '0 6px 0 0', border: '1px dotted', borderColor: color } }),
      );
    }
    this.enabled = vscode.workspace.getConfiguration('lineagelens').get<boolean>('gutter.enabled', true);
    this.scheduleRender = debounce(() => this.renderAll(), 30, 200);
    this.subscriptions = [
      vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.render(e.textEditor)),
      tracking.onDidChange(() => this.scheduleRender()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('lineagelens.gutter')) {
          this.enabled = vscode.workspace.getConfiguration('lineagelens').get<boolean>('gutter.enabled', true);
          this.renderAll();
        }
      }),
    ];
  }

  toggle(): boolean {
    this.enabled = !this.enabled;
    void vscode.workspace.getConfiguration('lineagelens').update('gutter.enabled', this.enabled, vscode.ConfigurationTarget.Global);
    this.renderAll();
    return this.enabled;
  }

  /** Decorate these lines (tests), on top of what tracking says. */
  setLines(uri: string, lines: readonly number[]): void {
    this.testLines.set(uri, [...new Set(lines)].filter((l) => Number.isInteger(l) && l >= 0));
    this.renderAll();
  }

  decoratedLineCount(uri: string): number {
    return this.rendered.get(uri) ?? 0;
  }

  /** Re-render now (after a flush), instead of waiting for the debounce. */
  refresh(): Promise<void> {
    this.scheduleRender();
    return this.scheduleRender.flush();
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  private render(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const uri = doc.uri.toString();
    const byType = new Map<string, vscode.Range[]>();
    const seen = new Set<number>();
    let count = 0;
    if (this.enabled && !this.tooLarge(doc)) {
      const add = (key: string, line: number) => {
        if (seen.has(line)) return; // visible ranges plus margins can overlap
        seen.add(line);
        const list = byType.get(key) ?? [];
        list.push(new vscode.Range(line, 0, line, 0));
        byType.set(key, list);
        count++;
      };
      for (const range of editor.visibleRanges) {
        const from = Math.max(0, range.start.line - VIEWPORT_MARGIN);
        const to = Math.min(doc.lineCount, range.end.line + 1 + VIEWPORT_MARGIN);
        for (const l of this.tracking.aiLines(doc, from, to)) add(`${toolColorKey(this.toolOf(l.recordId))}:${l.modified ? 'modified' : 'ai'}`, l.line);
      }
      for (const l of this.testLines.get(uri) ?? []) if (l < doc.lineCount) add('other:ai', l);
    }
    for (const [key, type] of this.types) editor.setDecorations(type, byType.get(key) ?? []);
    this.rendered.set(uri, count);
  }

  private tooLarge(doc: vscode.TextDocument): boolean {
    const maxLines = vscode.workspace.getConfiguration('lineagelens').get<number>('gutter.maxFileLines', 200_000);
    return doc.lineCount > maxLines;
  }

  dispose(): void {
    this.scheduleRender.cancel();
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.types.values()) t.dispose();
  }
}

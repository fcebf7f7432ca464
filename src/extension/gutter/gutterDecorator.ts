import * as vscode from 'vscode';

/**
 * Draws the provenance bar in the gutter. The decoration type is created once for the life of the
 * extension (no churn); each document keeps its set of lines and only visible editors are rendered.
 */
export class GutterDecorator implements vscode.Disposable {
  private readonly aiLine = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    before: {
      contentText: '\u200b',
      width: '3px',
      margin: '0 6px 0 0',
      backgroundColor: new vscode.ThemeColor('lineagelens.aiLineBar'),
    },
  });
  private readonly linesByUri = new Map<string, number[]>();
  private readonly rendered = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.window.onDidChangeVisibleTextEditors((editors) => this.render(editors));
  }

  setLines(uri: string, lines: readonly number[]): void {
    this.linesByUri.set(uri, [...new Set(lines)].filter((l) => Number.isInteger(l) && l >= 0).sort((a, b) => a - b));
    this.render(vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri));
  }

  decoratedLineCount(uri: string): number {
    return this.rendered.get(uri) ?? 0;
  }

  private render(editors: readonly vscode.TextEditor[]): void {
    for (const editor of editors) {
      const uri = editor.document.uri.toString();
      const lines = (this.linesByUri.get(uri) ?? []).filter((l) => l < editor.document.lineCount);
      editor.setDecorations(this.aiLine, lines.map((l) => new vscode.Range(l, 0, l, 0)));
      this.rendered.set(uri, lines.length);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.aiLine.dispose();
  }
}

import * as vscode from 'vscode';

/**
 * The one log channel of the extension. Callers log events and counts, never code or prompt text.
 */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('LineageLens', { log: true });

  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  error(message: string, err?: unknown): void {
    this.channel.error(err === undefined ? message : `${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
  debug(message: string): void {
    this.channel.debug(message);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}

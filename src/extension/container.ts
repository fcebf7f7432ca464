import * as vscode from 'vscode';
import { ChangeRecorder } from './capture/changeRecorder';
import { GutterDecorator } from './gutter/gutterDecorator';
import { Log } from './log';

/**
 * The one place that creates and wires the extension's services. Every service is a Disposable owned
 * by the container; the container itself is pushed onto the extension context's subscriptions.
 */
export class Container implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: Log;
  readonly changes: ChangeRecorder;
  readonly gutter: GutterDecorator;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(new Log());
    this.changes = this.own(new ChangeRecorder(this.log));
    this.gutter = this.own(new GutterDecorator());
  }

  get version(): string {
    return String((this.context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  }

  private own<T extends vscode.Disposable>(service: T): T {
    this.disposables.push(service);
    return service;
  }

  dispose(): void {
    // Dispose in reverse order of creation: later services may depend on earlier ones.
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch {
        // One failing dispose must not keep the rest alive.
      }
    }
    this.disposables.length = 0;
  }
}

import * as vscode from 'vscode';
import type { LineageLensApi } from './api';
import { registerCommands } from './commands';
import { Container } from './container';
import { sqliteVersion } from '../core/store/sqlEngine';

export function activate(context: vscode.ExtensionContext): LineageLensApi {
  const started = Date.now();
  const container = new Container(context);
  context.subscriptions.push(container, ...registerCommands(container));
  container.log.info(`LineageLens ${container.version} activated in ${Date.now() - started} ms (host: ${vscode.env.appName})`);

  return {
    version: container.version,
    testing: {
      changesSeen: (uri) => container.changes.changesSeen(uri),
      flush: () => container.changes.flush(),
      decoratedLineCount: (uri) => container.gutter.decoratedLineCount(uri),
      setTestDecoration: (uri, lines) => container.gutter.setLines(uri, lines),
      sqliteVersion: () => sqliteVersion(),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

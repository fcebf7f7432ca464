import * as path from 'node:path';
import { bundleStartedAt } from './startTime';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LineageLensApi } from './api';
import { registerCommands } from './commands';
import { Container } from './container';
import { sqliteVersion } from '../core/store/sqlEngine';

const moduleEvaluatedAt = performance.now();

export function activate(context: vscode.ExtensionContext): LineageLensApi {
  const activateCalledAt = performance.now();
  const container = new Container(context);
  context.subscriptions.push(container, ...registerCommands(container));
  // Our own cost, as VS Code counts it: loading the code plus the activate() call (the host's gap in
  // between is its own work, logged but not counted).
  const activationMs = moduleEvaluatedAt - bundleStartedAt + (performance.now() - activateCalledAt);
  container.log.info(
    `LineageLens ${container.version} activated in ${activationMs.toFixed(1)} ms ` +
      `(module ${(moduleEvaluatedAt - bundleStartedAt).toFixed(1)} ms, host gap ${(activateCalledAt - moduleEvaluatedAt).toFixed(1)} ms, ` +
      `activate ${(performance.now() - activateCalledAt).toFixed(1)} ms; host: ${vscode.env.appName})`,
  );

  return {
    version: container.version,
    testing: {
      changesSeen: (uri) => container.changes.changesSeen(uri),
      flush: () => container.changes.flush(),
      decoratedLineCount: (uri) => container.gutter.decoratedLineCount(uri),
      setTestDecoration: (uri, lines) => container.gutter.setLines(uri, lines),
      sqliteVersion: () => sqliteVersion(),
      activationMs: () => activationMs,
      captureIdle: async () => {
        await container.changes.flush();
        await container.capture.pipeline.idle();
        await container.gutter.refresh();
      },
      records: () => container.recent.all(),
      storeHome: () => container.store.home,
      storedRecords: async (filePath) => {
        const store = await container.store.open();
        const hits = await store.queryAll({});
        const records = await store.getRecords(hits.filter((h) => filePath === undefined || h.path === filePath).map((h) => h.seq));
        return records.filter((r): r is NonNullable<typeof r> => r !== null);
      },
      statusBarText: () => {
        container.statusBar.update();
        return container.statusBar.text;
      },
      listedSessionIds: () => container.sessionsView.listedSessionIds(),
      aiLines: (uri) => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
        return doc ? container.tracking.aiLines(doc, 0, doc.lineCount) : [];
      },
      captureCounts: () => ({ ...container.capture.pipeline.counts }),
      commitWatcher: () => ({ watching: container.commits.watching, bound: container.commits.bound.map((b) => ({ commit: b.commit, aiLines: b.aiLines })) }),
      bindCommit: async (repoDir, commit) => {
        const r = await container.commits.bind(repoDir, commit);
        return r ? { commit: r.commit, aiLines: r.aiLines } : null;
      },
      syncState: () => ({ ...container.sync.current, text: container.syncStatus.text, tooltip: container.syncStatus.tooltip, visible: container.syncStatus.visible }),
      workspaceStorageDir: () => (context.storageUri?.scheme === 'file' ? path.dirname(context.storageUri.fsPath) : undefined),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

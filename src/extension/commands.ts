import * as vscode from 'vscode';
import type { Container } from './container';
import { refreshLauncher, registerConnectCommands } from './connect/connectCommands';
import { exportCommand } from './export/exportCommand';
import { showProvenanceReport } from './provenance/provenanceReport';
import { markReviewed } from './review/markReviewed';
import { signIn, signOut, syncNow } from './sync/syncCommands';

/** Registers the command-palette commands. Each command id must also be listed in package.json. */
export function registerCommands(container: Container): vscode.Disposable[] {
  // Off the activation path: one small file read, and a write only after an update moved the extension.
  const syncDeps = { sync: container.sync, tokens: container.serverTokens, log: container.log };
  const launcher = setTimeout(() => refreshLauncher(container.store.home, container.context.extensionPath, container.log), 2_000);
  return [
    { dispose: () => clearTimeout(launcher) },
    ...registerConnectCommands(container.store, container.context.extensionPath, container.log),
    vscode.commands.registerCommand('lineagelens.showLog', () => container.log.show()),
    vscode.commands.registerCommand('lineagelens.enrichFromSessionFiles', async () => {
      const sources = container.sessionFiles.sources();
      if (sources.length === 0) {
        void vscode.window.showInformationMessage('No agent session files for this workspace (Copilot chatSessions, Cursor state.vscdb).');
        return 0;
      }
      const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'LineageLens: reading agent session files' }, () => container.sessionFiles.run());
      void vscode.window.showInformationMessage(`LineageLens added prompt and model to ${count} AI edit${count === 1 ? '' : 's'} from ${sources.map((s) => s.tool).join(' and ')} session files.`);
      return count;
    }),
    vscode.commands.registerCommand('lineagelens.revealSession', (sessionId: unknown) =>
      typeof sessionId === 'string' ? container.sessionsView.reveal(sessionId) : undefined,
    ),
    vscode.commands.registerCommand('lineagelens.showProvenanceForLine', () => showProvenanceReport(container.tracking, container.records, 'line', container.reviews)),
    vscode.commands.registerCommand('lineagelens.showProvenanceForSelection', () =>
      showProvenanceReport(container.tracking, container.records, 'selection', container.reviews),
    ),
    vscode.commands.registerCommand('lineagelens.export', (args?: unknown) =>
      exportCommand({ extensionPath: container.context.extensionPath, home: () => container.store.home, keys: container.signingKeys, log: container.log }, args),
    ),
    vscode.commands.registerCommand('lineagelens.markReviewed', (args?: unknown) =>
      markReviewed({ tracking: container.tracking, home: () => container.store.home, log: container.log }, args),
    ),
    vscode.commands.registerCommand('lineagelens.signInToServer', (args?: unknown) => signIn(syncDeps, args)),
    vscode.commands.registerCommand('lineagelens.signOutOfServer', (args?: unknown) => signOut(syncDeps, args)),
    vscode.commands.registerCommand('lineagelens.syncNow', (args?: unknown) => syncNow(syncDeps, args)),
    vscode.commands.registerCommand('lineagelens.refreshSessions', () => container.sessionsView.refresh()),
    vscode.commands.registerCommand('lineagelens.toggleGutter', () => {
      const on = container.gutter.toggle();
      void vscode.window.setStatusBarMessage(`LineageLens gutter ${on ? 'on' : 'off'}`, 2_000);
    }),
    vscode.commands.registerCommand('lineagelens.showStatus', async () => {
      const trusted = vscode.workspace.isTrusted ? 'trusted' : 'restricted (untrusted workspace)';
      await vscode.window.showInformationMessage(`LineageLens ${container.version} is active; workspace ${trusted}.`);
    }),
  ];
}

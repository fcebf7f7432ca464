import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONNECTOR_TOOLS, type ConnectorTool, isConnectorTool } from '../../core/connectors/types';
import { HOOK_SPECS, hooksConfigLocation, type HooksScope } from '../../core/hooksConfig';
import { installHooksInFile, uninstallHooksFromFile } from '../../core/hooksConfig/hooksFiles';
import { ensureLauncher, launcherHookCommand, launcherPath } from '../../core/hooksConfig/launcher';
import { listSpooled } from '../../core/hookState/hookSpool';
import { resolveStoreHome } from '../../core/store/storeHome';
import type { Log } from '../log';
import type { StoreService } from '../store/storeService';

export const TOOL_LABELS: Readonly<Record<ConnectorTool, string>> = {
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  copilot: 'GitHub Copilot (agent hooks)',
  codex: 'Codex',
  windsurf: 'Windsurf',
};

/** Arguments a caller (a test, a walkthrough link) may pass instead of answering the pickers. */
interface ConnectArgs {
  scope?: HooksScope;
  /** The folder whose dot-folders hold user-scope configurations: the OS home unless given. */
  userHome?: string;
}

export interface ConnectResult {
  tool: ConnectorTool;
  file: string;
  command: string;
  changed: boolean;
}

/**
 * "LineageLens: Connect <tool>": installs the tool's hooks (user scope, or the repository's shared file)
 * running a launcher at a stable path in the store home, which this extension keeps pointing at itself.
 * "Disconnect" removes exactly what was installed. Same file edits as `lineagelens hooks install`.
 */
export function registerConnectCommands(store: StoreService, extensionPath: string, log: Log): vscode.Disposable[] {
  const connect = async (tool: ConnectorTool | undefined, args: ConnectArgs = {}): Promise<ConnectResult | undefined> => {
    tool ??= await pickTool('Connect which AI coding tool to LineageLens?');
    if (!tool) return undefined;
    const scope = args.scope ?? (await pickScope(tool));
    if (!scope) return undefined;
    try {
      const home = store.home;
      const launcher = ensureLauncher(home, launcherTarget(extensionPath));
      const command = launcherHookCommand(launcher.path, tool, isDefaultHome(home) ? undefined : home);
      const location = hooksConfigLocation(tool, scope, { home: args.userHome ?? os.homedir(), ...repoRoot() });
      const outcome = installHooksInFile(tool, location.path, command, home);
      log.info(`connect ${tool}: ${outcome.changed ? 'installed hooks in' : 'hooks already in'} ${location.path}`);
      const events = HOOK_SPECS[tool].events.map((e) => e.name).join(', ');
      const message = outcome.changed
        ? `LineageLens is connected to ${TOOL_LABELS[tool]}: hooks ${events} added to ${location.path}.${outcome.backup ? ' The previous file is kept beside it (.lineagelens.bak).' : ''}`
        : `LineageLens was already connected to ${TOOL_LABELS[tool]} (${location.path}).`;
      void vscode.window.showInformationMessage([message, ...location.notes].join(' '), 'Open File').then((choice) => {
        if (choice) void vscode.window.showTextDocument(vscode.Uri.file(location.path));
      });
      return { tool, file: location.path, command, changed: outcome.changed };
    } catch (err) {
      log.error(`connect ${tool} failed`, err);
      void vscode.window.showErrorMessage(`LineageLens could not connect ${TOOL_LABELS[tool]}: ${(err as Error).message}`);
      return undefined;
    }
  };

  const disconnect = async (tool: ConnectorTool | undefined, args: ConnectArgs = {}): Promise<string | undefined> => {
    tool ??= await pickTool('Disconnect which AI coding tool from LineageLens?');
    if (!tool) return undefined;
    const scope = args.scope ?? (await pickScope(tool));
    if (!scope) return undefined;
    try {
      const location = hooksConfigLocation(tool, scope, { home: args.userHome ?? os.homedir(), ...repoRoot() });
      const outcome = uninstallHooksFromFile(tool, location.path, store.home);
      const message = outcome.state === 'no_file' || outcome.state === 'not_installed' ? `${TOOL_LABELS[tool]} was not connected (${location.path}).` : `LineageLens hooks removed from ${location.path}.`;
      void vscode.window.showInformationMessage(message);
      return outcome.state;
    } catch (err) {
      log.error(`disconnect ${tool} failed`, err);
      void vscode.window.showErrorMessage(`LineageLens could not disconnect ${TOOL_LABELS[tool]}: ${(err as Error).message}`);
      return undefined;
    }
  };

  return [
    vscode.commands.registerCommand('lineagelens.connect', (tool?: unknown, args?: ConnectArgs) => connect(typeof tool === 'string' && isConnectorTool(tool) ? tool : undefined, args)),
    vscode.commands.registerCommand('lineagelens.disconnect', (tool?: unknown, args?: ConnectArgs) => disconnect(typeof tool === 'string' && isConnectorTool(tool) ? tool : undefined, args)),
    // Literal ids, one per tool: the architecture test matches them against package.json.
    vscode.commands.registerCommand('lineagelens.connectClaudeCode', (args?: ConnectArgs) => connect('claude-code', args)),
    vscode.commands.registerCommand('lineagelens.connectCursor', (args?: ConnectArgs) => connect('cursor', args)),
    vscode.commands.registerCommand('lineagelens.connectCopilot', (args?: ConnectArgs) => connect('copilot', args)),
    vscode.commands.registerCommand('lineagelens.connectCodex', (args?: ConnectArgs) => connect('codex', args)),
    vscode.commands.registerCommand('lineagelens.connectWindsurf', (args?: ConnectArgs) => connect('windsurf', args)),
  ];
}

/**
 * Keeps an existing launcher pointing at this extension (it moves with every update), and records hook
 * payloads left in the spool (a drain killed with the machine): in a background CLI process. Never throws.
 */
export function refreshLauncher(home: string, extensionPath: string, log: Log): void {
  try {
    if (!existsSync(launcherPath(home))) return;
    if (ensureLauncher(home, launcherTarget(extensionPath)).changed) log.info('hook launcher updated to this version of LineageLens');
    const stale = listSpooled(home).filter((p) => Date.now() - p.time > 10_000).length;
    if (stale > 0) {
      log.info(`recording ${stale} agent hook payloads left in the spool`);
      const target = launcherTarget(extensionPath);
      spawn(target.execPath, [target.cliPath, 'hook-drain', '--home', home], { detached: true, stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).unref();
    }
  } catch (err) {
    log.warn(`could not update the hook launcher: ${(err as Error).message}`);
  }
}

function launcherTarget(extensionPath: string) {
  return { execPath: process.execPath, cliPath: path.join(extensionPath, 'dist', 'cli.js'), writtenBy: 'Written by the LineageLens extension' };
}

function isDefaultHome(home: string): boolean {
  return path.resolve(home) === path.resolve(resolveStoreHome());
}

function repoRoot(): { repoRoot?: string } {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? { repoRoot: folder.uri.fsPath } : {};
}

async function pickTool(placeHolder: string): Promise<ConnectorTool | undefined> {
  const picked = await vscode.window.showQuickPick(
    CONNECTOR_TOOLS.map((tool) => ({ label: TOOL_LABELS[tool], tool })),
    { placeHolder },
  );
  return picked?.tool;
}

async function pickScope(tool: ConnectorTool): Promise<HooksScope | undefined> {
  const items: { label: string; detail: string; scope: HooksScope }[] = [
    { label: 'For me, in every project', detail: hooksConfigLocation(tool, 'user', { home: '~' }).path, scope: 'user' },
  ];
  // Project files are shared through the repository: only offered where the workspace is trusted.
  if (vscode.workspace.isTrusted && repoRoot().repoRoot) {
    items.push({ label: 'For this repository (shared with the team)', detail: hooksConfigLocation(tool, 'project', { home: '~', repoRoot: '.' }).path, scope: 'project' });
  }
  if (items.length === 1) return 'user';
  return (await vscode.window.showQuickPick(items, { placeHolder: `Where should ${TOOL_LABELS[tool]} run LineageLens's hooks?` }))?.scope;
}

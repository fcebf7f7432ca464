import * as vscode from 'vscode';
import { z } from 'zod';
import { formatIssues } from '../../core/model/version';
import { serverKey } from '../../core/sync/syncClient';
import type { Log } from '../log';
import { checkToken, type ServerTokens } from './serverToken';
import type { SyncService, SyncState } from './syncService';

const HttpUrl = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .refine((u) => {
    try {
      serverKey(u);
      return true;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** "Sign in to Team Server" arguments (tests, other extensions); given, the prompts are skipped. */
export const SignInArgs = z.object({ url: HttpUrl.optional(), token: z.string().trim().min(1).max(4096).optional() }).strict();

export interface SyncCommandDeps {
  sync: SyncService;
  tokens: ServerTokens;
  log: Log;
}

/** https, or http to this machine. */
function isEncryptedOrLocal(server: string): boolean {
  const u = new URL(server);
  return u.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) || u.hostname.startsWith('127.');
}

function configuredServer(): string | undefined {
  const raw = vscode.workspace.getConfiguration('lineagelens.sync').get<string>('serverUrl', '').trim();
  try {
    return raw ? serverKey(raw) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks for the server (unless set) and the token (a password box), checks the token with a request the
 * server only answers when signed in, then keeps it in SecretStorage. Answers the server signed in to.
 */
export async function signIn(deps: SyncCommandDeps, raw: unknown): Promise<{ server: string } | undefined> {
  let args: z.infer<typeof SignInArgs> = {};
  if (raw !== undefined) {
    const parsed = SignInArgs.safeParse(raw);
    // The message names the fields, never their values (one of them is a token).
    if (!parsed.success) throw new Error(`LineageLens: Sign in to Team Server: bad arguments: ${formatIssues(parsed.error)}`);
    args = parsed.data;
  }
  let url = args.url ?? configuredServer();
  if (!url) {
    url = await vscode.window.showInputBox({
      title: 'LineageLens: team server URL',
      prompt: 'The address of a LineageLens team server (lineagelens serve)',
      placeHolder: 'http://127.0.0.1:7878',
      ignoreFocusOut: true,
      validateInput: (v) => (HttpUrl.safeParse(v).success ? undefined : 'an http(s) URL, e.g. http://127.0.0.1:7878'),
    });
    if (!url) return undefined;
  }
  const server = serverKey(url);
  const token =
    args.token ??
    (await vscode.window.showInputBox({
      title: `LineageLens: token for ${server}`,
      prompt: 'A token from the server admin (lineagelens server token create); kept in the editor’s secret storage',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'the token'),
    }))?.trim();
  if (!token) return undefined;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `LineageLens: checking the token with ${server}` }, () => checkToken(server, token));
  } catch (err) {
    deps.log.warn(`sign-in to ${server} failed: ${(err as Error).message}`);
    void vscode.window.showErrorMessage(`LineageLens: sign-in to ${server} failed: ${(err as Error).message}`);
    if (raw !== undefined) throw err;
    return undefined;
  }
  await deps.tokens.set(server, token);
  if (!isEncryptedOrLocal(server)) {
    deps.log.warn(`${server} is plain http on another machine: the token and records travel unencrypted`);
    void vscode.window.showWarningMessage(`LineageLens: ${server} is plain http: the token and records travel unencrypted. Prefer https for a server on another machine.`);
  }
  if (configuredServer() !== server) await vscode.workspace.getConfiguration('lineagelens.sync').update('serverUrl', server, vscode.ConfigurationTarget.Global);
  deps.log.info(`signed in to team server ${server}`);
  await deps.sync.refresh();
  if (!vscode.workspace.getConfiguration('lineagelens.sync').get<boolean>('enabled', false) && raw === undefined) {
    void vscode.window.showInformationMessage(`LineageLens: signed in to ${server}. Sync is off.`, 'Turn On Sync').then(async (choice) => {
      if (choice) await vscode.workspace.getConfiguration('lineagelens.sync').update('enabled', true, vscode.ConfigurationTarget.Global);
    });
  } else if (raw === undefined) void vscode.window.showInformationMessage(`LineageLens: signed in to ${server}.`);
  return { server };
}

/** Forgets the token of the configured server (or of `{ url }`). */
export async function signOut(deps: SyncCommandDeps, raw: unknown): Promise<boolean> {
  let url = configuredServer();
  if (raw !== undefined) {
    const parsed = z.object({ url: HttpUrl.optional() }).strict().safeParse(raw);
    if (!parsed.success) throw new Error(`LineageLens: Sign out of Team Server: bad arguments: ${formatIssues(parsed.error)}`);
    url = parsed.data.url ?? url;
  }
  if (!url) {
    void vscode.window.showInformationMessage('LineageLens: no team server is configured.');
    return false;
  }
  const server = serverKey(url);
  await deps.tokens.delete(server);
  deps.log.info(`signed out of team server ${server}`);
  await deps.sync.refresh();
  if (raw === undefined) void vscode.window.showInformationMessage(`LineageLens: signed out of ${server}; its token was removed.`);
  return true;
}

/** "Sync Now" arguments: `{}` from tests and other extensions (answer the state, show no message). */
export const SyncNowArgs = z.object({}).strict();

export async function syncNow(deps: SyncCommandDeps, raw: unknown): Promise<SyncState> {
  // The status bar passes nothing: interactive.
  const interactive = raw === undefined;
  if (!interactive) {
    const parsed = SyncNowArgs.safeParse(raw);
    if (!parsed.success) throw new Error(`LineageLens: Sync Now: bad arguments: ${formatIssues(parsed.error)}`);
  }
  const state = await deps.sync.syncNow();
  if (interactive) {
    if (state.status === 'off') {
      const action = /not signed in|no team server/.test(state.offReason) ? 'Sign In' : /not enabled/.test(state.offReason) ? 'Turn On Sync' : undefined;
      void vscode.window.showInformationMessage(`LineageLens: not syncing: ${state.offReason}.`, ...(action ? [action] : [])).then(async (choice) => {
        if (choice === 'Sign In') await vscode.commands.executeCommand('lineagelens.signInToServer');
        else if (choice === 'Turn On Sync') await vscode.workspace.getConfiguration('lineagelens.sync').update('enabled', true, vscode.ConfigurationTarget.Global);
      });
    }
    else if (state.status === 'error') void vscode.window.showWarningMessage(`LineageLens: sync failed: ${state.lastError ?? 'unknown error'}; ${state.pending} pending records stay queued.`);
  }
  return state;
}

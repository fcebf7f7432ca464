import type * as vscode from 'vscode';
import { serverKey } from '../../core/sync/syncClient';

/**
 * Team-server tokens, one per server, in SecretStorage (the OS keychain where the editor has one): never
 * in settings, never in logs, never on a command line.
 */
export class ServerTokens {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(serverUrl: string): string {
    return `lineagelens.sync.token:${serverKey(serverUrl)}`;
  }

  get(serverUrl: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(this.key(serverUrl)));
  }

  set(serverUrl: string, token: string): Promise<void> {
    return Promise.resolve(this.secrets.store(this.key(serverUrl), token));
  }

  delete(serverUrl: string): Promise<void> {
    return Promise.resolve(this.secrets.delete(this.key(serverUrl)));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith('lineagelens.sync.token:')) listener();
    });
  }
}

/** Asks the server whether it accepts the token, with a request that needs one. */
export async function checkToken(serverUrl: string, token: string, timeoutMs = 15_000): Promise<void> {
  const url = `${serverKey(serverUrl)}/api/v1/records?limit=1`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`could not reach ${serverKey(serverUrl)}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (res.ok) {
    await res.body?.cancel();
    return;
  }
  let message = '';
  try {
    message = String(((await res.json()) as { error?: unknown }).error ?? '');
  } catch {
    message = '';
  }
  if (res.status === 401 || res.status === 403) throw new Error(`the server refused the token (HTTP ${res.status}${message ? `: ${message.slice(0, 200)}` : ''})`);
  throw new Error(`the server answered HTTP ${res.status}${message ? `: ${message.slice(0, 200)}` : ''}; is ${serverKey(serverUrl)} a LineageLens team server?`);
}

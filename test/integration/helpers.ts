// Shared by the integration tests: the extension under test, its API, and bounded waiting.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageLensApi } from '../../src/extension/api';

export const EXTENSION_ID = 'lineagelens.lineagelens';

/** 'dev' | 'vsix' when run by test/exthost/run.mjs; undefined when started some other way. */
export const TEST_MODE = process.env.LINEAGELENS_TEST_MODE;

export function extension(): vscode.Extension<LineageLensApi> {
  const ext = vscode.extensions.getExtension<LineageLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return ext;
}

/** Activates the extension (idempotent) and returns what activate() returned. */
export async function activateApi(): Promise<LineageLensApi> {
  const api = await extension().activate();
  if (!api || typeof api.testing !== 'object') throw new Error('activate() did not return the LineageLens API');
  return api;
}

/** The first workspace folder, which the runner creates for each run. */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') throw new Error('the host has no file workspace folder open');
  return folder.uri.fsPath;
}

export function uniqueFile(name: string): vscode.Uri {
  const stamp = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return vscode.Uri.file(path.join(workspaceDir(), `${stamp}-${name}`));
}

/** Polls `probe` until `done(value)` holds; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

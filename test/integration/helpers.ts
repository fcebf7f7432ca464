// Shared by the integration tests: the extension under test, its API, and bounded waiting.
import * as http from 'node:http';
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

/**
 * Real keys, through the keyboard bridge of the offline harness (test/exthost/keyboard-bridge.mjs): the
 * harness holds the Playwright page on the workbench and serves its keyboard on 127.0.0.1, at the URL in
 * LINEAGELENS_TEST_KEYS_URL. Keys go to whatever has DOM focus: call focusEditorText() first.
 */
export function keyboardBridgeUrl(): string {
  const url = process.env.LINEAGELENS_TEST_KEYS_URL;
  if (!url) {
    throw new Error(
      'LINEAGELENS_TEST_KEYS_URL is not set: pressing real keys needs the keyboard bridge of the offline harness (npm run test:exthost)',
    );
  }
  return url;
}

function keyboardBridge(action: 'type' | 'press' | 'wait' | 'clipboard' | 'screenshot' | 'hover', body: Record<string, unknown>, timeoutMs: number): Promise<void> {
  const url = new URL(`/${action}`, keyboardBridgeUrl());
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode === 200) resolve();
          else reject(new Error(`keyboard bridge /${action} ${JSON.stringify(body)} answered ${res.statusCode}: ${text}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`keyboard bridge /${action} gave no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Types `text` key by key on the workbench (a newline presses Enter). */
export function typeKeys(text: string): Promise<void> {
  return keyboardBridge('type', { text }, 60_000);
}

/** Presses one key or chord, Playwright names: 'Tab', 'Escape', 'Enter', 'Control+V'. */
export function pressKey(key: string): Promise<void> {
  return keyboardBridge('press', { key }, 10_000);
}

/** Waits until a CSS selector of the workbench DOM reaches `state`; fails after `timeoutMs`. */
export function waitForWorkbench(selector: string, state: 'attached' | 'detached' | 'visible' | 'hidden', timeoutMs = 5000): Promise<void> {
  return keyboardBridge('wait', { selector, state, timeoutMs }, timeoutMs + 5000);
}

/** Puts text on the browser's clipboard, which a real Ctrl+V in the workbench pastes. */
export function setBrowserClipboard(text: string): Promise<void> {
  return keyboardBridge('clipboard', { text }, 10_000);
}

/** The editor of the active group, once it has DOM focus (keys typed through the bridge land there). */
export const FOCUSED_EDITOR = '.editor-group-container.active .monaco-editor.focused';

/** Gives the active editor DOM focus, so that real keys go into it. */
export async function focusEditorText(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  await waitForWorkbench(FOCUSED_EDITOR, 'attached');
}

/** A PNG of the workbench as a person sees it, written to `file` (through the keyboard bridge). */
export function screenshot(file: string): Promise<void> {
  return keyboardBridge('screenshot', { path: file }, 20_000);
}

/** Moves the real mouse over an element of the workbench. */
export function hoverOver(selector: string): Promise<void> {
  return keyboardBridge('hover', { selector }, 10_000);
}

// One VS Code extension host, offline: code-server on a free 127.0.0.1 port plus a headless Chromium
// page on its workbench (the remote extension host only starts when a workbench connects).
//
// startExtensionHost() returns a handle with the Playwright `page`, so a later end-to-end test can
// type into the editor and read the DOM; `exitCode` settles when the workbench reports the end of
// an extension test run (window.codeAutomationExit), or on timeout (124) or a crash (1).
// Tests inside the extension host reach the same page through the keyboard bridge (keyboard-bridge.mjs),
// whose URL is in the host's environment as LINEAGELENS_TEST_KEYS_URL (and on the handle as keysUrl).
// The CLI shim code-server-host.mjs wraps this for @vscode/test-electron's runTests.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { URLSearchParams } from 'node:url';
import { format } from 'node:util';
import { startKeyboardBridge, KEYS_URL_ENV } from './keyboard-bridge.mjs';
import { CHROMIUM_PATH } from './setup.mjs';

export const TIMEOUT_EXIT_CODE = 124;

const CODE_SERVER_FLAGS = [
  '--auth', 'none',
  '--disable-telemetry',
  '--disable-update-check',
  '--disable-workspace-trust',
  '--disable-getting-started-override',
  '--disable-proxy',
  '--ignore-last-opened',
];

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// User settings of a fresh user-data dir: no welcome page in the editor area, nothing phoning home.
const HOST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
};

// The workbench reports its own start-up through codeAutomationLog too, mixed with the extension
// host's console; these lines of it are dropped unless verbose.
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
];

/** codeAutomationLog gets the console arguments as an array (or a plain string), printf-style. */
function formatLogMessage(message) {
  return Array.isArray(message) ? format(...message) : format(message);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The web workbench reads its payload into a Map, so of several `extensionDevelopmentPath` entries only the
 * last would count. The remote extension host scans a development path that is not an extension itself as a
 * folder of extensions, so several paths become one folder of links to them (removed with the scratch dir;
 * removing a link leaves its target alone).
 */
function developmentLocations(paths, scratch) {
  if (paths.length <= 1) return paths;
  const dir = path.join(scratch, 'development-extensions');
  fs.mkdirSync(dir, { recursive: true });
  paths.forEach((p, i) => fs.symlinkSync(path.resolve(p), path.join(dir, `${i}-${path.basename(path.resolve(p))}`), 'dir'));
  return [dir];
}

/**
 * @param {object} o
 * @param {string} o.codeServerEntry   node_modules/code-server/out/node/entry.js
 * @param {string} [o.folder]          folder (or *.code-workspace file) to open
 * @param {string[]} [o.extensionDevelopmentPath]  one or more extensions to load from source
 * @param {string} [o.extensionTestsPath]   omit to get a plain workbench (e.g. for keyboard tests)
 * @param {string} [o.extensionsDir]
 * @param {string} [o.userDataDir]
 * @param {Record<string,string|undefined>} [o.env]  environment of code-server and so of the extension host
 * @param {number} [o.timeoutMs]       exitCode resolves to 124 after this long
 * @param {(line: string) => void} [o.log]  where host output goes (default stdout)
 * @param {boolean} [o.verbose]        also forward code-server's own output and browser console
 */
export async function startExtensionHost(o) {
  const log = o.log ?? ((line) => process.stdout.write(line + '\n'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lineagelens-exthost-'));
  const userDataDir = o.userDataDir ?? path.join(scratch, 'user-data');
  const extensionsDir = o.extensionsDir ?? path.join(scratch, 'extensions');
  for (const d of [userDataDir, extensionsDir, path.join(scratch, 'xdg-config'), path.join(scratch, 'xdg-data'), path.join(scratch, 'tmp')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(HOST_SETTINGS, null, 2) + '\n');
  }
  const configFile = path.join(scratch, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  let codeServer;
  let browser;
  let keyboardBridge;
  let pageReady;
  const pagePromise = new Promise((resolve) => (pageReady = resolve));
  let closed = false;
  const serverTail = [];
  let settle;
  const exitCode = new Promise((resolve) => (settle = resolve));
  let settled = false;
  const handle = { exitReason: undefined };
  /** reason: 'tests' (the workbench reported the run's end), 'timeout' or 'crash' */
  const finish = (code, reason, why) => {
    if (settled) return;
    settled = true;
    handle.exitReason = reason;
    if (why) log(`[exthost] ${why}`);
    if (reason !== 'tests' && !o.verbose && serverTail.length) log(`[exthost] code-server's last output:\n${serverTail.join('\n')}`);
    settle(code);
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    await keyboardBridge?.close();
    await browser?.close().catch(() => {});
    if (codeServer && codeServer.exitCode === null && codeServer.signalCode === null) {
      const gone = new Promise((r) => codeServer.once('exit', r));
      try { process.kill(-codeServer.pid, 'SIGTERM'); } catch { /* already gone */ }
      const t = setTimeout(() => { try { process.kill(-codeServer.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await gone;
      clearTimeout(t);
    }
    // stragglers of the group (the extension host, pty host, file watcher)
    if (codeServer) { try { process.kill(-codeServer.pid, 'SIGKILL'); } catch { /* none left */ } }
    fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  };

  const timer = setTimeout(
    () => finish(TIMEOUT_EXIT_CODE, 'timeout', `timed out after ${Math.round((o.timeoutMs ?? 0) / 1000)} s`),
    o.timeoutMs ?? 2 ** 31 - 1,
  );
  exitCode.then(() => clearTimeout(timer)); // keeps the process alive until the run ends

  try {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    // Up before code-server, so that its URL is in the environment the extension host inherits.
    keyboardBridge = await startKeyboardBridge(pagePromise);
    codeServer = spawn(
      process.execPath,
      [
        o.codeServerEntry,
        '--bind-addr', `127.0.0.1:${port}`,
        ...CODE_SERVER_FLAGS,
        '--config', configFile,
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
      ],
      {
        detached: true, // own process group: close() kills the extension host with it
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...o.env,
          [KEYS_URL_ENV]: keyboardBridge.url,
          XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'),
          XDG_DATA_HOME: path.join(scratch, 'xdg-data'),
          TMPDIR: path.join(scratch, 'tmp'), // the host's IPC sockets, removed with the scratch dir
          EXTENSIONS_GALLERY: '{}',
          VSCODE_OPTIONS: 'enable-smoke-test-driver',
        },
      },
    );
    const onServerOutput = (buf) => {
      for (const line of buf.toString().split('\n')) {
        if (!line) continue;
        serverTail.push(line);
        if (serverTail.length > 60) serverTail.shift();
        if (o.verbose) log(`[code-server] ${line}`);
      }
    };
    codeServer.stdout.on('data', onServerOutput);
    codeServer.stderr.on('data', onServerOutput);
    codeServer.on('exit', (code, signal) => {
      if (!closed) finish(1, 'crash', `code-server exited early (${code ?? signal})`);
    });

    const t0 = Date.now();
    while ((await httpStatus(`${origin}/healthz`)) !== 200) {
      if (settled) throw new Error('code-server did not come up');
      if (Date.now() - t0 > 30_000) throw new Error(`code-server did not answer ${origin}/healthz within 30 s`);
      await sleep(100);
    }

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A real Ctrl+V pastes what the bridge's /clipboard put there; the workbench reads it through the same API.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    pageReady(page);
    page.on('crash', () => finish(1, 'crash', 'the workbench page crashed'));
    if (o.verbose) page.on('console', (m) => log(`[browser ${m.type()}] ${m.text()}`));
    await page.exposeFunction('codeAutomationLog', (level, message) => {
      const text = formatLogMessage(message);
      if (!o.verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
      for (const line of text.split('\n')) log(level === 'info' || level === 'log' ? line : `[${level}] ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(typeof code === 'number' ? code : 1, 'tests'));

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
    const payload = [
      ...developmentLocations(o.extensionDevelopmentPath ?? [], scratch).map((p) => ['extensionDevelopmentPath', remote(p)]),
      ...(o.extensionTestsPath ? [['extensionTestsPath', remote(o.extensionTestsPath)]] : []),
    ];
    const query = new URLSearchParams();
    if (o.folder) query.set(o.folder.endsWith('.code-workspace') ? 'workspace' : 'folder', path.resolve(o.folder));
    if (payload.length) query.set('payload', JSON.stringify(payload));
    const url = `${origin}/?${query}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return Object.assign(handle, { url, origin, port, page, browser, exitCode, close, serverTail, keysUrl: keyboardBridge.url });
  } catch (err) {
    finish(1, 'crash', `extension host failed to start: ${err.message}`);
    await close();
    throw err;
  }
}

/** Installs a .vsix into `extensionsDir` with code-server's CLI (offline, ~1 s). */
export async function installExtension({ codeServerEntry, extensionsDir, vsix }) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lineagelens-install-'));
  try {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [codeServerEntry, '--user-data-dir', path.join(scratch, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', vsix],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'), XDG_DATA_HOME: path.join(scratch, 'xdg-data'), EXTENSIONS_GALLERY: '{}' },
        },
      );
      let text = '';
      child.stdout.on('data', (b) => (text += b));
      child.stderr.on('data', (b) => (text += b));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`code-server --install-extension ${vsix} exited with ${code}:\n${text}`))));
    });
    if (!/successfully installed/i.test(out)) throw new Error(`code-server did not report installing ${vsix}:\n${out}`);
    return out;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// `npm run test:exthost [-- --mode dev|vsix|both] [-- --grep PATTERN] [-- --verbose]`
//
// Runs the integration suite (test/integration, compiled to out/test/integration) inside a REAL
// VS Code extension host, twice:
//   dev   extensionDevelopmentPath = the repo root: the extension as built in dist/;
//   vsix  the newest lineagelens-*.vsix at the repo root installed into a fresh extensions dir, and
//         a stub development path, so the extension under test is the INSTALLED copy.
// and ends with the line `N passed, N failed` (totals of both runs; a run that crashed without a
// result counts as one failure). Exit code 0 only if every test passed.
// Both runs also load test/companion-extension as a second development path: a test-only stand-in for
// AI tools (inline completions, chat-editing style edits, a formatter) that the capture tests drive.
//
// Flow:
//   1. setup.mjs installs what is missing (idempotent; fails loudly): Debian chromium, libkrb5-dev
//      and ripgrep through apt-get, and code-server@4.100.3 in ~/.cache/lineagelens/exthost
//      (LINEAGELENS_EXTHOST_DIR overrides). Skipped when VSCODE_EXECUTABLE_PATH names a desktop
//      VS Code, which is then used instead of code-server.
//   2. Per run, a scratch dir holds the workspace folder the host opens, user data, extensions,
//      LINEAGELENS_HOME (so the extension's store stays out of ~) and the result file.
//   3. @vscode/test-electron's runTests starts the "VS Code executable": code-server-host.mjs, a shim
//      that takes VS Code's CLI arguments, starts code-server on a free 127.0.0.1 port, opens its
//      workbench in headless Chromium (playwright-core) with the extension test payload, forwards the
//      output and exits with the test exit code (124 on timeout). host.mjs does the work and exports
//      startExtensionHost(), which also hands out the Playwright page for keyboard-driven tests.
//   4. Inside the host, out/test/integration/index.js runs mocha over *.test.js and writes
//      {passed, failed, ...} to LINEAGELENS_TEST_RESULT; the tests see LINEAGELENS_TEST_MODE=dev|vsix,
//      LINEAGELENS_TEST_WORKSPACE, LINEAGELENS_TEST_DEV_PATH and LINEAGELENS_TEST_EXTENSIONS_DIR, and
//      LINEAGELENS_TEST_KEYS_URL, the keyboard bridge (keyboard-bridge.mjs) for pressing real keys.
//
// Other environment: LINEAGELENS_EXTHOST_TIMEOUT_MS (per run, default 300000),
// LINEAGELENS_EXTHOST_VERBOSE=1 (code-server output and browser console too),
// LINEAGELENS_EXTHOST_KEEP=1 (keep the scratch dirs).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureExtensionHost, codeServerPaths, SetupError } from './setup.mjs';
import { installExtension } from './host.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHIM = path.join(ROOT, 'test', 'exthost', 'code-server-host.mjs');
const TESTS_INDEX = path.join(ROOT, 'out', 'test', 'integration', 'index.js');
const COMPANION = path.join(ROOT, 'test', 'companion-extension');
const EXTENSION_ID = 'lineagelens.lineagelens';

class RunError extends Error {}

const say = (msg) => console.log(`[test:exthost] ${msg}`);
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function parseCli(argv) {
  const opts = { mode: 'both', grep: undefined, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--mode') opts.mode = value();
    else if (flag === '--grep' || flag === '-g') opts.grep = value();
    else if (flag === '--verbose') opts.verbose = true;
    else throw new RunError(`unknown argument ${argv[i]} (use --mode dev|vsix|both, --grep PATTERN, --verbose)`);
  }
  if (!['dev', 'vsix', 'both'].includes(opts.mode)) throw new RunError(`--mode must be dev, vsix or both, not ${opts.mode}`);
  return opts;
}

function newestVsix() {
  const found = fs
    .readdirSync(ROOT)
    .filter((f) => /^lineagelens-.*\.vsix$/.test(f))
    .map((f) => ({ file: path.join(ROOT, f), mtime: fs.statSync(path.join(ROOT, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  if (found.length === 0) throw new RunError(`no lineagelens-*.vsix in ${ROOT}: run npm run package first`);
  return found[0];
}

function checkInputs(modes) {
  if (!fs.existsSync(path.join(COMPANION, 'package.json'))) throw new RunError(`the test companion extension is missing: ${path.relative(ROOT, COMPANION)}`);
  if (!fs.existsSync(TESTS_INDEX)) throw new RunError(`${path.relative(ROOT, TESTS_INDEX)} is missing: run npm run compile first`);
  const stale = fs
    .readdirSync(path.join(ROOT, 'test', 'integration'))
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => {
      const js = path.join(ROOT, 'out', 'test', 'integration', f.replace(/\.ts$/, '.js'));
      return !fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(path.join(ROOT, 'test', 'integration', f)).mtimeMs;
    });
  if (stale.length) throw new RunError(`out/test/integration is older than ${stale.join(', ')}: run npm run compile first`);
  const main = path.join(ROOT, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).main ?? 'dist/extension.js');
  if (modes.includes('dev') && !fs.existsSync(main)) throw new RunError(`${path.relative(ROOT, main)} is missing: run npm run build first`);
  if (modes.includes('vsix')) {
    const { file, mtime } = newestVsix();
    if (fs.existsSync(main) && fs.statSync(main).mtimeMs > mtime + 60_000) {
      say(`warning: ${path.basename(file)} is older than ${path.relative(ROOT, main)}; npm run package refreshes it`);
    }
  }
}

/**
 * A minimal extension, so that in vsix mode the host runs in extension-test mode without our dev copy.
 * It activates like ours (onStartupFinished) and reports its own activation time: the baseline that
 * `npm run bench` sets beside ours, measured in the same host.
 */
function writeStubExtension(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'lineagelens-test-stub',
        publisher: 'lineagelens-test',
        version: '0.0.0',
        engines: { vscode: '^1.100.0' },
        main: './extension.js',
        activationEvents: ['onStartupFinished'],
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'extension.js'),
    [
      "const { performance } = require('perf_hooks');",
      'const loadStart = performance.now();',
      'let activateMs = 0;',
      'exports.activate = () => {',
      '  const t = performance.now();',
      '  const api = { activationMs: () => evaluated - loadStart + activateMs };',
      '  activateMs = performance.now() - t;',
      '  return api;',
      '};',
      'const evaluated = performance.now();',
      '',
    ].join('\n'),
  );
}

async function installVsixInto(extensionsDir, vsix, desktopExecutable) {
  if (desktopExecutable) {
    const { resolveCliArgsFromVSCodeExecutablePath } = await import('@vscode/test-electron');
    const [cli, ...args] = resolveCliArgsFromVSCodeExecutablePath(desktopExecutable, { reuseMachineInstall: true });
    const r = spawnSync(cli, [...args, `--extensions-dir=${extensionsDir}`, '--install-extension', vsix], { stdio: 'inherit' });
    if (r.status !== 0) throw new RunError(`installing ${vsix} with ${cli} failed (${r.status})`);
  } else {
    await installExtension({ codeServerEntry: codeServerPaths().entry, extensionsDir, vsix });
  }
  const installed = fs.readdirSync(extensionsDir).filter((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
  if (installed.length !== 1) throw new RunError(`expected one ${EXTENSION_ID}-* in ${extensionsDir}, found: ${fs.readdirSync(extensionsDir).join(', ') || 'nothing'}`);
  return path.join(extensionsDir, installed[0]);
}

/**
 * Runs the suite once in `mode` ('dev' | 'vsix') and returns {passed, failed, crashed, seconds}.
 * `executable` is a desktop VS Code or the code-server shim.
 */
export async function runSuite(mode, { executable, desktop, grep, verbose }) {
  const t0 = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `lineagelens-${mode}-`));
  const dirs = {
    workspace: path.join(scratch, 'workspace'),
    userData: path.join(scratch, 'user-data'),
    extensions: path.join(scratch, 'extensions'),
    home: path.join(scratch, 'lineagelens-home'),
    stub: path.join(scratch, 'stub-extension'),
  };
  for (const d of [dirs.workspace, dirs.userData, dirs.extensions, dirs.home]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dirs.workspace, 'README.md'), '# LineageLens integration-test workspace\n');
  const resultFile = path.join(scratch, 'result.json');

  let devPath = ROOT;
  if (mode === 'vsix') {
    const { file } = newestVsix();
    const t1 = Date.now();
    const installedAt = await installVsixInto(dirs.extensions, file, desktop ? executable : undefined);
    say(`vsix: installed ${path.basename(file)} as ${path.basename(installedAt)} in ${seconds(t1)}`);
    writeStubExtension(dirs.stub);
    devPath = dirs.stub;
  }

  say(`${mode}: running the suite in ${desktop ? 'desktop VS Code' : 'code-server'} (scratch ${scratch})`);
  const { runTests } = await import('@vscode/test-electron');
  let exitError;
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: [devPath, COMPANION],
      extensionTestsPath: TESTS_INDEX,
      launchArgs: [dirs.workspace, `--extensions-dir=${dirs.extensions}`, `--user-data-dir=${dirs.userData}`],
      extensionTestsEnv: {
        LINEAGELENS_TEST_MODE: mode,
        LINEAGELENS_TEST_RESULT: resultFile,
        LINEAGELENS_TEST_WORKSPACE: dirs.workspace,
        LINEAGELENS_TEST_DEV_PATH: devPath,
        LINEAGELENS_TEST_EXTENSIONS_DIR: dirs.extensions,
        LINEAGELENS_TEST_GREP: grep,
        LINEAGELENS_HOME: dirs.home,
        ...(process.env.LINEAGELENS_BENCH_OUT ? { LINEAGELENS_BENCH_OUT: process.env.LINEAGELENS_BENCH_OUT } : {}),
        ...(verbose ? { LINEAGELENS_EXTHOST_VERBOSE: '1' } : {}),
      },
    });
  } catch (err) {
    exitError = err;
  }

  let result;
  try {
    result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    result = undefined;
  }
  const outcome = result
    ? { passed: result.passed, failed: result.failed, pending: result.pending ?? 0, crashed: false }
    : { passed: 0, failed: 0, pending: 0, crashed: true };
  if (exitError && !outcome.crashed && outcome.failed === 0) outcome.crashed = true; // exited badly after the suite
  outcome.seconds = (Date.now() - t0) / 1000;
  for (const f of result?.failures ?? []) say(`${mode}: FAILED ${f.title}: ${f.error}`);
  if (outcome.crashed) say(`${mode}: the run CRASHED${exitError ? ` (${exitError.message})` : ''}${result ? '' : ', no result file was written'}`);
  say(`${mode}: ${outcome.passed} passed, ${outcome.failed} failed${outcome.pending ? `, ${outcome.pending} pending` : ''} in ${outcome.seconds.toFixed(1)} s`);

  if (process.env.LINEAGELENS_EXTHOST_KEEP === '1') say(`${mode}: kept ${scratch}`);
  else fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  return outcome;
}

async function main() {
  const t0 = Date.now();
  const opts = parseCli(process.argv.slice(2));
  const modes = opts.mode === 'both' ? ['dev', 'vsix'] : [opts.mode];
  checkInputs(modes);

  const desktopExecutable = process.env.VSCODE_EXECUTABLE_PATH;
  let executable = desktopExecutable;
  if (!executable) {
    await ensureExtensionHost();
    executable = SHIM;
  } else if (!fs.existsSync(executable)) {
    throw new RunError(`VSCODE_EXECUTABLE_PATH=${executable} does not exist`);
  }

  const totals = { passed: 0, failed: 0 };
  for (const mode of modes) {
    const r = await runSuite(mode, { executable, desktop: Boolean(desktopExecutable), grep: opts.grep, verbose: opts.verbose });
    totals.passed += r.passed;
    totals.failed += r.failed + (r.crashed ? 1 : 0);
  }
  say(`${modes.join(' + ')} done in ${seconds(t0)}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`\n[test:exthost] FAILED: ${err instanceof RunError || err instanceof SetupError ? err.message : err?.stack ?? err}\n`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}

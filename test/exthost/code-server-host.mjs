#!/usr/bin/env node
// Stand-in for the VS Code executable, for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// Takes the CLI arguments runTests passes:
//   --extensionTestsPath=P --extensionDevelopmentPath=P (repeatable) --extensions-dir=D
//   --user-data-dir=D [FOLDER | FILE.code-workspace] and desktop-only flags (ignored),
// runs the tests in code-server's extension host (host.mjs), forwards their output to stdout and
// exits with the test run's exit code (124 on timeout, 1 on a crash).
//
// Environment: LINEAGELENS_EXTHOST_DIR (where setup.mjs installed code-server),
// LINEAGELENS_EXTHOST_TIMEOUT_MS (default 300000), LINEAGELENS_EXTHOST_VERBOSE=1 (also show
// code-server's output and the browser console). Everything else is passed on to the extension host.

import { codeServerPaths, isCodeServerReady } from './setup.mjs';
import { startExtensionHost } from './host.mjs';

const VALUE_FLAGS = new Set(['extensionTestsPath', 'extensionDevelopmentPath', 'extensions-dir', 'user-data-dir']);
const IGNORED_FLAGS = new Set([
  'no-sandbox', 'disable-gpu-sandbox', 'disable-gpu', 'disable-updates', 'skip-welcome', 'skip-release-notes',
  'disable-workspace-trust', 'disable-telemetry', 'new-window', 'wait', 'disable-chromium-sandbox',
]);

export function parseArgs(argv) {
  const out = { extensionDevelopmentPath: [], positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { out.positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPath.push(value);
      else out[name] = value;
    } else if (!IGNORED_FLAGS.has(name)) {
      throw new Error(`unsupported argument ${arg} (the offline host knows: ${[...VALUE_FLAGS].join(', ')})`);
    }
  }
  if (out.positional.length > 1) throw new Error(`only one folder or workspace can be opened, got ${out.positional.join(' ')}`);
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!isCodeServerReady()) {
    throw new Error(`no verified code-server in ${codeServerPaths().dir}: run node test/exthost/setup.mjs`);
  }
  const timeoutMs = Number(process.env.LINEAGELENS_EXTHOST_TIMEOUT_MS || 300_000);
  const host = await startExtensionHost({
    codeServerEntry: codeServerPaths().entry,
    folder: args.positional[0],
    extensionDevelopmentPath: args.extensionDevelopmentPath,
    extensionTestsPath: args.extensionTestsPath,
    extensionsDir: args['extensions-dir'],
    userDataDir: args['user-data-dir'],
    timeoutMs,
    verbose: process.env.LINEAGELENS_EXTHOST_VERBOSE === '1',
  });
  const stop = async (signal) => {
    console.log(`[exthost] ${signal}: closing`);
    await host.close();
    process.exit(130);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const code = await host.exitCode;
  await host.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[exthost] FAILED: ${err.message}`);
    process.exit(1);
  },
);

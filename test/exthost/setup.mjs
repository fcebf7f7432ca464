// Installs, idempotently, what the offline extension host needs, and fails loudly when it can't:
//   - Debian packages: chromium (the workbench client), and for building code-server's native
//     modules libkrb5-dev (gssapi.h for `kerberos`) and ripgrep (seeds @vscode/ripgrep's download).
//   - code-server@4.100.3 in its own folder outside the repo (~316 MB):
//     $LINEAGELENS_EXTHOST_DIR, default ~/.cache/lineagelens/exthost/code-server-4.100.3
//
// npm 11 blocks dependency install scripts unless an allowScripts policy allows them. code-server's
// postinstall runs two more `npm install`s (lib/vscode, lib/vscode/extensions) that are projects of
// their own, so the policy of our folder's package.json does not reach them; and an `allow-scripts`
// config in the environment or a user npmrc would be exported by npm into the postinstall's
// environment, where the nested npm rejects it (EALLOWSCRIPTS: not allowed in project-scoped
// installs). So the install runs in two phases:
//   1. `npm install --ignore-scripts`: unpack everything, run nothing;
//   2. write an .npmrc with `allow-scripts=...` into lib/vscode and lib/vscode/extensions (their
//      project config), then `npm rebuild` with the top-level policy in package.json#allowScripts.
// `strict-allow-scripts=true` makes any unreviewed install script fail the install instead of being
// skipped silently. Afterwards every native addon is loaded once to prove it was built.
//
// Usable as a module (ensureExtensionHost) or on its own: `node test/exthost/setup.mjs`.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = '/usr/bin/chromium';

// Packages with install scripts in code-server 4.100.3's npm-shrinkwrap files (which pin every
// version), per project. Name-only entries: npm can verify a pinned entry only against a lockfile's
// resolved URL, which this machine's npmrc omits (omit-lockfile-registry-resolved). A new
// code-server version must be reviewed here: strict-allow-scripts fails the install until it is.
const ALLOWED_INSTALL_SCRIPTS = {
  '.': ['code-server', 'argon2'],
  'node_modules/code-server/lib/vscode': [
    '@parcel/watcher',
    '@vscode/deviceid',
    '@vscode/ripgrep',
    '@vscode/spdlog',
    '@vscode/windows-process-tree',
    '@vscode/windows-registry',
    'kerberos',
    'native-watchdog',
    'node-pty',
  ],
  'node_modules/code-server/lib/vscode/extensions': ['@parcel/watcher', 'esbuild'],
};

// @vscode/ripgrep@1.15.11 downloads rg from GitHub unless this cache file exists.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';

// Native addons that must load after the install (require()d from node_modules/code-server).
const NATIVE_ADDONS = [
  'argon2',
  './lib/vscode/node_modules/node-pty/build/Release/pty.node',
  './lib/vscode/node_modules/kerberos/build/Release/kerberos.node',
  './lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
  './lib/vscode/node_modules/native-watchdog/build/Release/watchdog.node',
  './lib/vscode/node_modules/@parcel/watcher',
];

const READY_MARKER = '.lineagelens-exthost-ready.json';

export class SetupError extends Error {}

const say = (msg) => console.log(`[exthost setup] ${msg}`);

export function exthostDir() {
  return path.resolve(
    process.env.LINEAGELENS_EXTHOST_DIR ||
      path.join(os.homedir(), '.cache', 'lineagelens', 'exthost', `code-server-${CODE_SERVER_VERSION}`),
  );
}

/** Paths of an installed code-server (they may not exist yet). */
export function codeServerPaths(dir = exthostDir()) {
  const pkgDir = path.join(dir, 'node_modules', 'code-server');
  return { dir, pkgDir, entry: path.join(pkgDir, 'out', 'node', 'entry.js'), marker: path.join(dir, READY_MARKER) };
}

/** True when a completed, verified install is recorded in `dir`. */
export function isCodeServerReady(dir = exthostDir()) {
  const { entry, marker } = codeServerPaths(dir);
  if (!fs.existsSync(marker) || !fs.existsSync(entry)) return false;
  try {
    return JSON.parse(fs.readFileSync(marker, 'utf8')).version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
    const tail = [];
    const onData = (stream) => (buf) => {
      log?.write(buf);
      if (!opts.quiet) stream.write(buf);
      tail.push(...buf.toString().split('\n'));
      if (tail.length > 80) tail.splice(0, tail.length - 80);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (err) => reject(new SetupError(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      log?.end();
      if (code === 0) return resolve();
      const shown = opts.quiet ? `\n--- last lines ---\n${tail.join('\n')}` : '';
      reject(new SetupError(`${cmd} ${args.join(' ')} exited with ${code ?? signal}${shown}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Debian packages

const SYSTEM_PACKAGES = {
  chromium: () => fs.existsSync(CHROMIUM_PATH),
  'libkrb5-dev': () => fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/gssapi.h'),
  ripgrep: () => fs.existsSync('/usr/bin/rg'),
};

/** apt-get installs whichever of `names` is missing. */
export async function ensureSystemPackages(names = Object.keys(SYSTEM_PACKAGES)) {
  const missing = names.filter((n) => !SYSTEM_PACKAGES[n]());
  if (missing.length === 0) return;
  if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/apt-get')) {
    throw new SetupError(`missing ${missing.join(', ')} and no apt-get here: install them by hand`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const asRoot = process.getuid?.() === 0;
  const aptGet = (...args) => (asRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  say(`apt-get install ${missing.join(' ')}`);
  const t0 = Date.now();
  await aptGet('update', '-q');
  await aptGet('install', '-y', '-q', ...missing);
  const still = missing.filter((n) => !SYSTEM_PACKAGES[n]());
  if (still.length) throw new SetupError(`apt-get install finished but ${still.join(', ')} still missing`);
  say(`apt packages installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------
// code-server

function seedRipgrepCache() {
  const target = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[os.arch()];
  if (!target) throw new SetupError(`no ripgrep seeding for arch ${os.arch()}`);
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const tarball = path.join(cacheDir, `ripgrep-${RIPGREP_RELEASE}-${target}.tar.gz`);
  if (fs.existsSync(tarball)) return;
  const rg = '/usr/bin/rg';
  if (!fs.existsSync(rg)) throw new SetupError(`${rg} missing: apt-get install ripgrep`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'lineagelens-rg-'));
  try {
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    const r = spawnSync('tar', ['czf', tarball + '.tmp', '-C', stage, 'rg'], { stdio: 'inherit' });
    if (r.status !== 0) throw new SetupError('tar failed while seeding the ripgrep cache');
    fs.renameSync(tarball + '.tmp', tarball);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  say(`seeded ${tarball} with Debian's rg`);
}

/** Project .npmrc files carrying the install-script policy of the nested installs (see header). */
function writeNestedPolicies(dir) {
  for (const [rel, allowed] of Object.entries(ALLOWED_INSTALL_SCRIPTS)) {
    if (rel === '.') continue;
    const project = path.join(dir, rel);
    if (!fs.existsSync(path.join(project, 'package.json'))) throw new SetupError(`expected a project at ${project}`);
    fs.appendFileSync(path.join(project, '.npmrc'), `\n# added by LineageLens test/exthost/setup.mjs\nallow-scripts=${allowed.join(',')}\n`);
  }
}

export function verifyInstall(dir = exthostDir()) {
  const { pkgDir, entry } = codeServerPaths(dir);
  const problems = [];
  for (const spec of NATIVE_ADDONS) {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(spec)})`], { cwd: pkgDir, encoding: 'utf8' });
    const why = (r.stderr || '').split('\n').find((l) => /Error/.test(l)) || r.stderr;
    if (r.status !== 0) problems.push(`${spec} does not load: ${why}`);
  }
  const rg = path.join(pkgDir, 'lib/vscode/node_modules/@vscode/ripgrep/bin/rg');
  if (spawnSync(rg, ['--version']).status !== 0) problems.push(`${rg} does not run`);
  if (!fs.existsSync(path.join(pkgDir, 'lib/vscode/node_modules.asar'))) problems.push('postinstall did not finish (no lib/vscode/node_modules.asar)');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lineagelens-cs-'));
  const v = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch } });
  fs.rmSync(scratch, { recursive: true, force: true });
  if (v.status !== 0 || !v.stdout.split('\n').some((l) => l.startsWith(`${CODE_SERVER_VERSION} `))) problems.push(`code-server --version printed ${JSON.stringify(v.stdout + v.stderr)}`);
  if (problems.length) throw new SetupError(`code-server install in ${dir} is broken:\n  - ${problems.join('\n  - ')}`);
}

/** Installs code-server into `dir` unless a verified install is already there. */
export async function ensureCodeServer(dir = exthostDir()) {
  const paths = codeServerPaths(dir);
  if (isCodeServerReady(dir)) return paths;
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new SetupError(`code-server ${CODE_SERVER_VERSION} needs Node 20; this is ${process.version}`);
  await ensureSystemPackages(['libkrb5-dev', 'ripgrep']);
  seedRipgrepCache();

  say(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (a few minutes, ~316 MB)`);
  const t0 = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'lineagelens-exthost',
        private: true,
        description: 'Generated by LineageLens test/exthost/setup.mjs: the offline extension host for integration tests.',
        dependencies: { 'code-server': CODE_SERVER_VERSION },
        allowScripts: Object.fromEntries(ALLOWED_INSTALL_SCRIPTS['.'].map((p) => [p, true])),
      },
      null,
      2,
    ) + '\n',
  );
  const logFile = path.join(dir, 'install.log');
  const env = {
    ...process.env,
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses root otherwise
    npm_config_strict_allow_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.npm_config_allow_scripts;
  // node-gyp must build against the local Node headers instead of downloading them.
  if (!env.npm_config_nodedir && fs.existsSync('/usr/include/node/common.gypi')) env.npm_config_nodedir = '/usr';
  const npm = async (args, what) => {
    try {
      await run('npm', [...args, '--loglevel=warn'], { cwd: dir, env, logFile, quiet: true });
    } catch (e) {
      throw new SetupError(`${what} failed (full log: ${logFile}): ${e.message}`);
    }
  };
  await npm(['install', '--ignore-scripts'], 'npm install --ignore-scripts of code-server');
  writeNestedPolicies(dir);
  await npm(['rebuild'], "code-server's install scripts (npm rebuild)");
  verifyInstall(dir);
  const seconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(paths.marker, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString(), seconds }, null, 2) + '\n');
  say(`code-server ready in ${seconds.toFixed(1)} s`);
  return paths;
}

/** Everything the runner needs: chromium plus a verified code-server. */
export async function ensureExtensionHost(dir = exthostDir()) {
  await ensureSystemPackages(['chromium']);
  return ensureCodeServer(dir);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureExtensionHost()
    .then((p) => say(`ok: ${p.entry}`))
    .catch((e) => {
      console.error(`\n[exthost setup] FAILED: ${e.message}\n`);
      process.exit(1);
    });
}

// Bundles the extension, the CLI and the server with esbuild into dist/, and copies sql.js's wasm
// next to them (bundled sql.js cannot locate it by itself). `--production` minifies and drops maps.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  define: { __LINEAGELENS_VERSION__: JSON.stringify(pkg.version) },
  absWorkingDir: root,
};

const started = Date.now();
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // better-sqlite3 is native: it stays a run-time dependency of the CLI and server (npm install), never
  // bundled, and the extension bundle does not reach it at all (the VSIX carries no native module).
  // `pg` (PostgreSQL, pure JavaScript) is bundled; its optional native binding pg-native is never used.
  esbuild.build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', external: ['better-sqlite3', 'pg-native'], banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', external: ['better-sqlite3', 'pg-native'], banner: { js: '#!/usr/bin/env node' } }),
  // The store's index runs in a worker thread, which needs a file of its own next to the bundles.
  esbuild.build({ ...common, entryPoints: ['src/core/store/worker/storeWorker.ts'], outfile: 'dist/storeWorker.js' }),
  // The server's background threads (WAL checkpoints, upload preparation): likewise a file of their own.
  esbuild.build({ ...common, entryPoints: ['src/server/threads/serverThread.ts'], outfile: 'dist/serverThread.js', external: ['better-sqlite3'] }),
]);
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), join(dist, 'sql-wasm.wasm'));
// The dashboard's lineage graph library, served by the server itself (no CDN): dist/vendor next to the bundles.
mkdirSync(join(dist, 'vendor'), { recursive: true });
copyFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), join(dist, 'vendor', 'cytoscape.min.js'));
chmodSync(join(dist, 'cli.js'), 0o755);
chmodSync(join(dist, 'server.js'), 0o755);
console.log(`built dist/ (${production ? 'production' : 'development'}) in ${Date.now() - started} ms`);

// Packages dist/ into lineagelens-<version>.vsix with vsce (offline; the allow-list is .vscodeignore)
// and prints its size. Expects `node scripts/build.mjs --production` to have run (npm run package does).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `lineagelens-${pkg.version}.vsix`);
const VSIX_TARGET_BYTES = 3 * 1024 * 1024;

for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/server.js', 'dist/storeWorker.js', 'dist/serverThread.js', 'dist/sql-wasm.wasm']) {
  if (!existsSync(join(root, f))) {
    console.error(`package: ${f} is missing; run the build first`);
    process.exit(1);
  }
}
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
// --no-dependencies: everything the extension needs is bundled into dist/. Relative README links are
// kept as they are (they point into the repository, which the VSIX does not carry).
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--out', out], { cwd: root, stdio: 'inherit' });
const bytes = statSync(out).size;
console.log(`VSIX ${out} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes; target <= ${VSIX_TARGET_BYTES} bytes)`);
if (bytes > VSIX_TARGET_BYTES) {
  console.error('package: the VSIX is over its size target');
  process.exit(1);
}

// `npm test`: compile, unit tests in plain Node, package the VSIX, then the integration suite in a real
// VS Code extension host (from the sources and from the installed VSIX). Ends with `N passed, N failed`.
// Options: --unit (unit tests only), --no-package (reuse the existing dist/ and VSIX).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const noPackage = args.includes('--no-package');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function step(title) {
  console.log(`\n=== ${title}`);
}

async function runUnit() {
  const mocha = new Mocha({ timeout: 20_000, reporter: 'spec' });
  const dir = join(root, 'out', 'test', 'unit');
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.test.js'));
  for (const f of files.sort()) mocha.addFile(join(dir, String(f)));
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    const failures = [];
    const runner = mocha.run(() => resolve({ passed: runner.stats.passes, failed: runner.stats.failures, failures }));
    // Kept for the summary at the very end: CI shows only the tail of the output, which the extension-host
    // suite fills, so the unit failures printed by the spec reporter above would not be seen there.
    runner.on('fail', (test, err) => {
      const firstLine = String(err?.message ?? err).split('\n').find((l) => l.trim()) ?? '';
      failures.push(`${test.fullTitle()}\n      ${firstLine.trim().slice(0, 400)}`);
    });
  });
}

function runExthost() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'test', 'exthost', 'run.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('exit', (code) => {
      const m = [...tail.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      const passed = m ? Number(m[1]) : 0;
      let failed = m ? Number(m[2]) : 0;
      // A crashed or unset-up harness counts as a failure even if it printed no counts.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ passed, failed });
    });
  });
}

step('compile (tsc)');
rmSync(join(root, 'out'), { recursive: true, force: true }); // no stale compiled tests
execFileSync(process.execPath, [tsc, '-p', '.'], { cwd: root, stdio: 'inherit' });

step('unit tests (mocha, plain Node)');
const unit = await runUnit();
const totals = { passed: unit.passed, failed: unit.failed };

if (!unitOnly) {
  if (!noPackage) {
    step('package the VSIX');
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
  }
  step('integration tests (real VS Code extension host)');
  const ext = await runExthost();
  totals.passed += ext.passed;
  totals.failed += ext.failed;
}

if (unit.failures.length > 0) {
  console.log(`\nunit failures (${unit.failures.length}):`);
  for (const f of unit.failures) console.log(`  - ${f}`);
}
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exitCode = totals.failed > 0 ? 1 : 0;

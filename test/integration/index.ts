// Entry point of the integration suite inside a real extension host (desktop VS Code through
// @vscode/test-electron, or code-server through test/exthost/run.mjs). The host require()s this
// compiled file (out/test/integration/index.js) and calls run(); its promise settling ends the host.
//
// Runs every out/test/integration/**/*.test.js with mocha's spec reporter (forwarded to the outer
// runner through the host's console) and, when LINEAGELENS_TEST_RESULT names a file, writes
// {"passed","failed","pending","failures":[{title,error}]} there for the outer runner to count.
// LINEAGELENS_TEST_GREP filters tests like mocha's --grep.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Summary {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

function findTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

function writeSummary(summary: Summary): void {
  const target = process.env.LINEAGELENS_TEST_RESULT;
  if (target) fs.writeFileSync(target, JSON.stringify(summary, null, 2) + '\n');
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 30_000 });
  if (process.env.LINEAGELENS_TEST_GREP) mocha.grep(process.env.LINEAGELENS_TEST_GREP);
  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);

  const summary: Summary = { passed: 0, failed: 0, pending: 0, failures: [] };
  return new Promise<void>((resolve, reject) => {
    try {
      if (files.length === 0) throw new Error(`no *.test.js under ${__dirname}: run npm run compile`);
      const runner = mocha.run((failures) => {
        summary.failed = Math.max(summary.failed, failures);
        writeSummary(summary);
        if (summary.failed > 0) reject(new Error(`${summary.failed} integration test(s) failed`));
        else if (summary.passed === 0) reject(new Error('no integration test ran'));
        else resolve();
      });
      runner.on('pass', () => summary.passed++);
      runner.on('pending', () => summary.pending++);
      runner.on('fail', (test, err: unknown) => {
        summary.failed++;
        summary.failures.push({ title: test.fullTitle(), error: err instanceof Error ? err.message : String(err) });
      });
    } catch (err) {
      summary.failed++;
      summary.failures.push({ title: 'loading the integration suite', error: err instanceof Error ? err.stack ?? err.message : String(err) });
      writeSummary(summary);
      reject(err);
    }
  });
}

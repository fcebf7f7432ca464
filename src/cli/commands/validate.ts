import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { validateJsonl } from '../../core/model/validateJsonl';

/**
 * `lineagelens validate <file.jsonl|->`: streams the file, reports every bad line with its number and
 * the reason, and exits 1 if any line is bad. Huge files are fine: one line at a time.
 */
export async function runValidate(args: string[]): Promise<number> {
  const quiet = args.includes('--quiet');
  const paths = args.filter((a) => a !== '--quiet');
  if (paths.length !== 1) {
    process.stderr.write('usage: lineagelens validate <file.jsonl|->\n');
    return 2;
  }
  const input = paths[0] === '-' ? process.stdin : createReadStream(paths[0]!);
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    const report = await validateJsonl(lines, (problem) => {
      if (!quiet) process.stderr.write(`line ${problem.line}: ${problem.message}\n`);
    });
    process.stdout.write(`${report.valid} valid, ${report.invalid} invalid (${report.edits} edits, ${report.sessions} sessions)\n`);
    return report.invalid === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`lineagelens validate: cannot read ${paths[0]}: ${(err as Error).message}\n`);
    return 2;
  }
}

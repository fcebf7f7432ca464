/**
 * Secret redaction speed.
 *
 * - `privacy.redact_mb_per_s`: redactSecrets over a realistic mixed corpus (10 MB; 1 MB with --quick)
 *   cut into documents of edit/prompt size (up to 16 KB): the secrets corpus (positive files with fresh
 *   fake secrets, negative files), this repository's TypeScript, and TypeScript's lib .d.ts files.
 *   Baseline, same documents, same run: one `text.replace` of one simple regex (AKIA key ids).
 * - `privacy.redact_worst_case_ms`: the slowest of a set of adversarial 1 MB inputs (256 KB with
 *   --quick), each built to make some detector work hard: repeated prefixes without their token, long
 *   runs after a prefix, unterminated quotes, nested key headers, texts made of nothing but secrets.
 * Best of three runs for the throughput and of five for each adversarial input (the machine is shared;
 * the best run is the least disturbed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { redactSecrets } from '../src/core/privacy';
import { loadCorpus } from '../test/fixtures/secrets/corpus';
import type { Benchmark, BenchResult } from './types';

const DOCUMENT_SIZE = 16 * 1024;

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, suffix) : e.name.endsWith(suffix) ? [p] : [];
  });
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += DOCUMENT_SIZE) out.push(text.slice(i, i + DOCUMENT_SIZE));
  return out;
}

/** Documents totalling at least `size` characters: one part secrets corpus to three parts ordinary code. */
function realisticCorpus(root: string, size: number): string[] {
  const code = [
    ...filesUnder(path.join(root, 'src'), '.ts'),
    ...filesUnder(path.join(root, 'node_modules', 'typescript', 'lib'), '.d.ts'),
  ].flatMap((f) => chunks(readFileSync(f, 'utf8')));
  const docs: string[] = [];
  let total = 0;
  let seed = 1;
  let next = 0;
  while (total < size) {
    const { positive, negative } = loadCorpus(root, seed++);
    for (const s of [...positive, ...negative]) {
      docs.push(s.input);
      total += s.input.length;
      for (let k = 0; k < 3 && next < code.length; k++) {
        const c = code[next++ % code.length]!;
        docs.push(c);
        total += c.length;
      }
    }
    if (next >= code.length) next = 0;
  }
  return docs;
}

function adversarialInputs(size: number): Array<[string, string]> {
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  let printable = '';
  for (let i = 0, x = 1; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    printable += String.fromCharCode(32 + (x % 95));
  }
  return [
    ['one letter', fill('a')],
    ['eyJ repeated', fill('eyJ')],
    ['JWT-shaped segments', fill('eyJabcdef.')],
    ['ghp_ then a 1 MB run', 'ghp_' + fill('a')],
    ['sk- repeated', fill('sk-')],
    ['password= repeated', fill('password=')],
    ['password= then a 1 MB run', 'password=' + fill('x')],
    ['password=" repeated', fill('password="')],
    ['password=\\" repeated', fill('password=\\"')],
    ['password: str repeated', fill('password: str ')],
    ['token is repeated', fill('token is ')],
    ['BEGIN header repeated', fill('-----BEGIN RSA PRIVATE KEY-----')],
    ['BEGIN then 1 MB of key lines', '-----BEGIN PRIVATE KEY-----\n' + fill('MIIE\n')],
    ['1 MB of key lines then END', fill('MIIEFAKEKEYabcdefghijklmnop\n') + '-----END PRIVATE KEY-----'],
    ['BEGIN with long armor headers', fill('-----BEGIN PRIVATE KEY-----\nA: ' + ' '.repeat(300))],
    ['dashes', fill('-')],
    ['scheme:// repeated', fill('a://')],
    ['scheme://u:p repeated', fill('a://b:c')],
    ['URL password without @', 'http://u:' + fill('p')],
    ['= then long base64 runs', fill('x=' + 'A1b2C3d4'.repeat(80) + ' ')],
    ['k= then 1 MB of base64', 'k=' + fill('Ab1+')],
    ['Authorization: repeated', fill('authorization: ')],
    ['Bearer then 1 MB', 'Authorization: Bearer ' + fill('a1')],
    ['<password> repeated', fill('<password>xxxxxxxx')],
    ['--password repeated', fill('--password ')],
    ['curl -u repeated', fill('curl -u a:b ')],
    ['quotes', fill('"')],
    ['backslashes', fill('\\')],
    ['markers', fill('[REDACTED:password]')],
    ['markers glued to secrets', fill('password = "[REDACTED:password]x" ')],
    ['random printable ASCII', printable],
    ['nothing but api_key lines', fill('api_key = "Zx8Kq2LmN4pR7tVw9Yb3Cd5Fg"\n')],
    ['nothing but high-entropy lines', fill('x: "Zx8Kq2LmN4pR7tVw9Yb3Cd5Fg"\n')],
  ];
}

function bestOf<T>(runs: number, work: () => T): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

const bench: Benchmark = async (ctx) => {
  const size = ctx.quick ? 1_000_000 : 10_000_000;
  const docs = realisticCorpus(ctx.root, size);
  const chars = docs.reduce((n, d) => n + d.length, 0);
  const megabytes = chars / 1e6;
  ctx.log(`corpus: ${docs.length} documents, ${megabytes.toFixed(1)} MB`);

  let redactions = 0;
  for (const d of docs.slice(0, 200)) redactions += redactSecrets(d).redactions; // warm-up
  const redactMs = bestOf(3, () => {
    redactions = 0;
    for (const d of docs) redactions += redactSecrets(d).redactions;
  });
  const simple = /AKIA[0-9A-Z]{16}/g;
  const baselineMs = bestOf(3, () => {
    for (const d of docs) d.replace(simple, '[REDACTED]');
  });
  ctx.log(`${redactions} redactions; redactSecrets ${redactMs.toFixed(0)} ms, one-regex replace ${baselineMs.toFixed(0)} ms`);

  const adversarialSize = ctx.quick ? 256 * 1024 : 1024 * 1024;
  let worst: [string, number] = ['', 0];
  for (const [name, input] of adversarialInputs(adversarialSize)) {
    const ms = bestOf(ctx.quick ? 1 : 5, () => redactSecrets(input));
    if (ms > worst[1]) worst = [name, ms];
  }
  ctx.log(`slowest adversarial input: ${worst[0]} (${worst[1].toFixed(0)} ms)`);

  const results: BenchResult[] = [
    {
      name: 'privacy.redact_mb_per_s',
      value: megabytes / (redactMs / 1000),
      unit: 'MB/s',
      goal: 20,
      better: 'higher',
      baseline: { label: 'one-regex text.replace', value: megabytes / (baselineMs / 1000) },
      note: `${docs.length} documents of up to 16 KB, ${redactions} redactions`,
    },
    {
      name: 'privacy.redact_worst_case_ms',
      value: worst[1],
      unit: 'ms',
      goal: 200,
      better: 'lower',
      note: `slowest of ${adversarialInputs(16).length} adversarial ${ctx.quick ? '256 KB' : '1 MB'} inputs: ${worst[0]}`,
    },
  ];
  return results;
};

export default bench;

/**
 * `lineagelens export --format jsonl|csv|agent-trace|markdown|intoto --out FILE [--sign]
 *  [--repo ID|REMOTE|DIR] [--path GLOB] [--since T] [--until T] [--tool T] [--model M] [--session S]
 *  [--disposition D] [--json] [--home DIR] [--key-stdin] [--progress]`
 * `--key-stdin` reads the Ed25519 private key (PKCS#8 PEM) from stdin instead of `<home>/keys/`: the
 * editor keeps its key in SecretStorage and must never put it on a command line. `--progress` prints
 * `{"progress":N}` lines on stderr as records are written (the editor's progress notification).
 * Streams the store's records to FILE (see core/export/runExport.ts for the files written). Times take
 * ISO or spans back from now (7d, 24h). Exit 0 done, 1 failed, 2 usage.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { repoIdentityOf } from '../../core/git/bindCommit';
import { ExportFilter } from '../../core/export/exportFilter';
import { EXPORT_FORMATS } from '../../core/export/exportFormats';
import { exportRecords } from '../../core/export/runExport';
import { privateKeyFromPem } from '../../core/export/signing';
import { formatIssues } from '../../core/model/version';
import { storeLayout } from '../../core/store/storeHome';
import { openManifest } from '../../core/store/storeManifest';
import { VERSION } from '../version';
import { parseSince } from './log';
import { readStdin } from './gitContext';
import { parseStoreArgs } from './storeArgs';

const USAGE = `usage: lineagelens export --format ${EXPORT_FORMATS.join('|')} --out FILE [--sign]
         [--repo ID|REMOTE|DIR] [--path GLOB] [--since T] [--until T] [--tool T] [--model M]
         [--session S] [--disposition D] [--json] [--home DIR] [--key-stdin] [--progress]
         [--lineage FILE:LINE|SESSION|prompt:ID [--repo-dir DIR] [--rev R]]  (alone or --format prov: PROV-JSON)
`;
const FILTERS = ['--repo', '--path', '--since', '--until', '--tool', '--model', '--session', '--disposition'];

export async function runExport(args: string[]): Promise<number> {
  let parsed;
  let filter: ExportFilter;
  let format: (typeof EXPORT_FORMATS)[number] = 'jsonl';
  let lineage: string | undefined;
  let lineageOnly = false;
  try {
    parsed = parseStoreArgs(args, ['--format', '--out', '--lineage', '--repo-dir', '--rev', ...FILTERS], ['--sign', '--key-stdin', '--progress']);
    if (parsed.positional.length) throw new Error(`unexpected argument ${parsed.positional[0]}`);
    lineage = parsed.values.get('--lineage');
    if (lineage !== undefined && [undefined, 'prov'].includes(parsed.values.get('--format'))) {
      if (!parsed.values.get('--out')) throw new Error('--out FILE is required');
      lineageOnly = true;
    }
    const f = lineageOnly ? { success: true as const, data: format } : z.enum(EXPORT_FORMATS).safeParse(parsed.values.get('--format'));
    if (!f.success) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    format = f.data;
    if (!parsed.values.get('--out')) throw new Error('--out FILE is required');
    const raw: Record<string, string> = {};
    for (const flag of FILTERS) {
      const value = parsed.values.get(flag);
      if (value !== undefined) raw[flag.slice(2)] = flag === '--since' || flag === '--until' ? parseSince(value) : value;
    }
    if (raw.repo && existsSync(raw.repo) && statSync(raw.repo).isDirectory()) raw.repo = (await repoIdentityOf(path.resolve(raw.repo))).id;
    const checked = ExportFilter.safeParse(raw);
    if (!checked.success) throw new Error(`bad filter: ${formatIssues(checked.error)}`);
    filter = checked.data;
  } catch (err) {
    process.stderr.write(`lineagelens export: ${(err as Error).message.replace('--since', 'a time')}\n${USAGE}`);
    return 2;
  }
  const layout = storeLayout(parsed.home);
  try {
    // Only a lineage export loads the lineage code (and the store's index).
    const withLineage = lineage === undefined ? null : await import('./exportLineage');
    const repoDir = parsed.values.get('--repo-dir') ?? process.cwd();
    if (withLineage && lineageOnly) return await withLineage.writeLineageExport(parsed.home, lineage!, parsed.values.get('--out')!, repoDir, parsed.values.get('--rev'), parsed.json);
    const lineageDoc = withLineage ? await withLineage.lineageDocument(parsed.home, lineage!, repoDir, parsed.values.get('--rev')) : undefined;
    const privateKey = parsed.flags.has('--key-stdin') ? privateKeyFromPem(await readStdin()) : undefined;
    const progress = parsed.flags.has('--progress');
    const manifest = await openManifest(layout, { create: false });
    const result = exportRecords({
      layout,
      storeId: manifest.storeId,
      format,
      out: path.resolve(parsed.values.get('--out')!),
      filter,
      sign: parsed.flags.has('--sign'),
      exporter: { name: 'lineagelens', version: VERSION },
      onProblem: (p) => process.stderr.write(`warning: ${p.message}\n`),
      ...(progress ? { onProgress: (n: number) => process.stderr.write(`${JSON.stringify({ progress: n })}\n`) } : {}),
      ...(privateKey ? { privateKey } : {}),
      ...(lineageDoc ? { lineage: lineageDoc } : {}),
    });
    if (parsed.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`exported ${result.records} record(s)${result.skipped ? ` (${result.skipped} invalid left out)` : ''}\n`);
      for (const f of result.files) process.stdout.write(`  ${f.path}  sha256 ${f.sha256}\n`);
      if (result.signature) process.stdout.write(`  signed: ${result.signature}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens export: ${(err as Error).message}\n`);
    return 1;
  }
}

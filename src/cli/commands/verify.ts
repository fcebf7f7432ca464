/**
 * `lineagelens verify [--home DIR] [--json] [--schema]`: checks the hash chain of the local store and names
 * the first broken link (segment file, line, byte offset, seq, reason); `--schema` also validates every
 * record. Exit 0 when intact, 1 when broken, 2 when the store cannot be read. Read-only.
 */
import { GitLedger } from '../../core/git/gitLedger';
import { StoreFormatError } from '../../core/store/storeErrors';
import { storeLayout } from '../../core/store/storeHome';
import { openManifest } from '../../core/store/storeManifest';
import { type StoreVerification, verifyStore } from '../../core/store/verifyStore';
import { parseStoreArgs } from './storeArgs';

const USAGE = 'usage: lineagelens verify [--home DIR] [--json] [--schema]\n       lineagelens verify <export> [--key PUB.pem] [--json] [--home DIR]\n';

export async function runVerify(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--key'], ['--schema']);
    if (parsed.positional.length > 1) throw new Error('expected at most one export file');
    if (parsed.positional.length === 1) return (await import('./verifyExport')).runVerifyExport(parsed.positional[0]!, parsed.home, parsed.values.get('--key'), parsed.json);
  } catch (err) {
    process.stderr.write(`lineagelens verify: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const layout = storeLayout(parsed.home);
  let result: StoreVerification;
  let ledgerSummary: string | null = null;
  try {
    const manifest = await openManifest(layout, { create: false });
    result = verifyStore(layout, manifest.storeId, { schema: parsed.flags.has('--schema') });
    // The git ledger is a chain of its own: a break there breaks the store's verification too.
    const ledger = new GitLedger(parsed.home).verify();
    if (ledger.exists) {
      result = { ...result, ok: result.ok && ledger.ok, breaks: result.breaks + ledger.breaks, firstBreak: result.firstBreak ?? ledger.firstBreak };
      ledgerSummary = `git ledger: ${ledger.ok ? `intact, ${ledger.entries} entries` : `BROKEN at line ${ledger.firstBreak!.line}: ${ledger.firstBreak!.message}`}`;
    }
  } catch (err) {
    const message = err instanceof StoreFormatError ? err.message : `cannot read the store at ${parsed.home}: ${(err as Error).message}`;
    process.stderr.write(`lineagelens verify: ${message}\n`);
    return 2;
  }
  process.stdout.write(parsed.json ? `${JSON.stringify({ home: parsed.home, ...result }, null, 2)}\n` : describe(result, parsed.home) + (ledgerSummary ? `${ledgerSummary}\n` : ''));
  return result.ok && result.invalidRecords === 0 ? 0 : 1;
}

function describe(r: StoreVerification, home: string): string {
  const lines: string[] = [];
  const range = r.firstSeq === null ? 'empty' : `entries ${r.firstSeq}..${r.head?.seq}`;
  if (r.ok) {
    lines.push(`chain intact: ${r.entries} entries (${r.puts} records, ${r.prunes} prunes) in ${r.segments} segment(s), ${range}`);
    if (r.head) lines.push(`head: entry ${r.head.seq}, hash ${r.head.hash}`);
  } else {
    const b = r.firstBreak!;
    lines.push(`chain BROKEN at ${b.segment} line ${b.line} (byte ${b.offset})${b.seq === null ? '' : `, entry ${b.seq}`}: ${b.reason.replace('_', ' ')}`);
    lines.push(`  ${b.message}`);
    if (r.breaks > 1) lines.push(`  ${r.breaks - 1} more problem(s) after it`);
  }
  if (r.witness && r.witness.agrees) lines.push(`index snapshot agrees up to entry ${r.witness.lastSeq}`);
  if (r.invalidRecords > 0) {
    const f = r.firstInvalidRecord!;
    lines.push(`${r.invalidRecords} record(s) fail the schema; first: ${f.segment} line ${f.line}, entry ${f.seq}: ${f.message}`);
  }
  if (r.incompleteTailBytes > 0) {
    lines.push(`note: ${r.incompleteTailBytes} bytes at the end of the journal are an unfinished append (never acknowledged); the next write removes them`);
  }
  lines.push(`store: ${home}`);
  return `${lines.join('\n')}\n`;
}

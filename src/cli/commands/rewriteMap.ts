/**
 * `lineagelens rewrite-map <old>..<new> [--repo DIR] [--json] [--home DIR]`: after a server-side squash or
 * rebase merge (no local post-rewrite hook ran), map the bindings of the commits only on the old side onto
 * the commits only on the new side, by content. Run it where the ledger is (a developer machine after
 * fetching, or a CI job with the notes ref fetched). Exit 0 done, 1 failed, 2 usage.
 */
import { rewriteMapPairs, reanchorRewrites } from '../../core/git/reanchor';
import { parseStoreArgs } from './storeArgs';
import { withLedger } from './gitContext';

const USAGE = 'usage: lineagelens rewrite-map <old>..<new> [--repo DIR] [--json] [--home DIR]\n';

export async function runRewriteMap(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--repo']);
    if (parsed.positional.length !== 1 || !parsed.positional[0]!.includes('..')) throw new Error('expected one range <old>..<new>');
  } catch (err) {
    process.stderr.write(`lineagelens rewrite-map: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const repoDir = parsed.values.get('--repo') ?? process.cwd();
  try {
    const pairs = await rewriteMapPairs(repoDir, parsed.positional[0]!);
    const result = await withLedger(parsed.home, (ledger) => reanchorRewrites(repoDir, pairs, ledger, 'rewrite-map'));
    const summary = { pairs: pairs.length, bindings: result.bindings.length, aiLines: result.aiLines };
    process.stdout.write(parsed.json ? `${JSON.stringify(summary)}\n` : `mapped ${summary.aiLines} AI lines onto the new commits (${summary.bindings} bindings)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens rewrite-map: ${(err as Error).message}\n`);
    return 1;
  }
}

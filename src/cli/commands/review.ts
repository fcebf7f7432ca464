/**
 * `lineagelens review (--session S | --edit ID | --file F --lines A-B [--rev R]) [--changes-requested]
 * [--note TEXT] [--repo DIR] [--home DIR]`: records a review marker in the git ledger; blame shows it.
 * Lines are given as they are at --rev (default HEAD) and stored as the committed ranges they came from,
 * so the marker survives later commits that move them.
 */
import * as path from 'node:path';
import { blameFile } from '../../core/git/blame';
import { repoIdentityOf } from '../../core/git/bindCommit';
import { LedgerView } from '../../core/git/gitLedger';
import type { ReviewTarget } from '../../core/git/gitRecords';
import { RepoInfoCache } from '../../core/git/repoInfo';
import { currentReviewer, rangeTargets, reviewMark } from '../../core/git/reviewMarks';
import { parseStoreArgs } from './storeArgs';
import { withLedger } from './gitContext';

const USAGE = 'usage: lineagelens review (--session S | --edit ID | --file F --lines A-B [--rev R]) [--changes-requested] [--note TEXT] [--repo DIR] [--home DIR]\n';

export async function runReview(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--session', '--edit', '--file', '--lines', '--rev', '--note', '--repo'], ['--changes-requested']);
    const chosen = ['--session', '--edit', '--file'].filter((k) => parsed!.values.has(k));
    if (chosen.length !== 1) throw new Error('give exactly one of --session, --edit, --file');
    if (parsed.values.has('--file') && !/^\d+-\d+$|^\d+$/.test(parsed.values.get('--lines') ?? '')) throw new Error('--file needs --lines A-B (1-based)');
  } catch (err) {
    process.stderr.write(`lineagelens review: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const repoDir = parsed.values.get('--repo') ?? process.cwd();
  try {
    const count = await withLedger(parsed.home, async (ledger) => {
      const info = await new RepoInfoCache().forFile(path.join(path.resolve(repoDir), '.lineagelens'));
      const by = currentReviewer(info?.user ?? {});
      let targets: ReviewTarget[];
      if (parsed.values.has('--session')) targets = [{ sessionId: parsed.values.get('--session')! }];
      else if (parsed.values.has('--edit')) targets = [{ editId: parsed.values.get('--edit')! }];
      else {
        const [a, b] = parsed.values.get('--lines')!.split('-').map(Number);
        const blame = await blameFile({ repoDir, file: parsed.values.get('--file')!, rev: parsed.values.get('--rev'), ledger: new LedgerView([]) });
        const repoId = (await repoIdentityOf(blame.root)).id;
        targets = rangeTargets(repoId, blame.lines.filter((l) => l.line >= a! && l.line <= (b ?? a)!));
      }
      const status = parsed.flags.has('--changes-requested') ? 'changes_requested' : 'reviewed';
      await ledger.append(targets.map((t) => reviewMark(t, status, by, parsed.values.get('--note'))));
      return targets.length;
    });
    process.stdout.write(`recorded ${count} review mark(s)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens review: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Building "reviewed" markers (ledger records) for a session, an edit, or committed lines found by blame. */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Acceptor } from '../model/schema';
import type { BlameLine } from './blame';
import { GIT_SCHEMA_ID, type ReviewMark, type ReviewTarget } from './gitRecords';

export function reviewMark(target: ReviewTarget, status: ReviewMark['status'], by: Acceptor, note?: string, time = new Date().toISOString()): ReviewMark {
  return {
    schema: GIT_SCHEMA_ID,
    kind: 'review',
    id: `rv_${createHash('sha256').update(JSON.stringify([target, status, by, time])).digest('hex').slice(0, 32)}`,
    time,
    status,
    by,
    target,
    ...(note ? { note } : {}),
  };
}

/** Targets for blamed lines: one committed range per run of lines added by the same commit. */
export function rangeTargets(repoId: string, lines: readonly BlameLine[]): ReviewTarget[] {
  const targets: ReviewTarget[] = [];
  for (const l of lines) {
    const last = targets[targets.length - 1];
    if (last && 'commit' in last && last.commit === l.commit && last.path === l.origPath && last.end + 1 === l.origLine) last.end = l.origLine;
    else targets.push({ repoId, commit: l.commit, path: l.origPath, start: l.origLine, end: l.origLine });
  }
  return targets;
}

export function currentReviewer(git: { name?: string; email?: string }): Acceptor {
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { ...(git.name ? { gitName: git.name } : {}), ...(git.email ? { gitEmail: git.email } : {}), osUser };
}

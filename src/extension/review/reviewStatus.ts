import { statSync } from 'node:fs';
import { GitLedger, ledgerFile } from '../../core/git/gitLedger';
import type { ReviewMark } from '../../core/git/gitRecords';
import { reviewIndex } from '../../core/export/runExport';

/**
 * The newest local review mark of an edit or its session, for the hover. The git ledger is read again
 * only when its file changed (size or mtime), so a hover costs one stat.
 */
export class ReviewStatus {
  private cached: { key: string; lookup: (sessionId: string, editId: string) => ReviewMark | null } | undefined;

  constructor(private readonly home: () => string) {}

  of(sessionId: string, editId: string): ReviewMark | null {
    const file = ledgerFile(this.home());
    let key: string;
    try {
      const st = statSync(file);
      key = `${file}:${st.size}:${st.mtimeMs}`;
    } catch {
      return null; // no ledger yet: nothing reviewed
    }
    if (this.cached?.key !== key) this.cached = { key, lookup: reviewIndex(new GitLedger(this.home()).readAll()) };
    return this.cached.lookup(sessionId, editId);
  }
}

export function reviewLine(mark: ReviewMark): string {
  const who = mark.by.gitName ?? mark.by.gitEmail ?? mark.by.osUser;
  const status = mark.status === 'reviewed' ? 'Reviewed' : 'Changes requested';
  return `**${status}** by ${who.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`)} on ${mark.time.slice(0, 10)}`;
}

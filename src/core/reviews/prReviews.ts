/**
 * From webhook facts to "was this commit reviewed?": a commit belongs to a PR when it is the PR's head or
 * merge commit, or was pushed to the PR's branch; a merged PR is "reviewed" when someone other than its
 * author approved it and the approval still stood at merge (not dismissed / unapproved), otherwise
 * "merged without review". An open PR reports the approvals so far. Facts may arrive in any order and
 * more than once (providers redeliver): folding is order-independent by fact time, and idempotent.
 */
import type { PrFact, Provider, PullRequestFact, PushFact, ReviewFact } from './prEvents';

export interface PrRef {
  provider: Provider;
  number: number;
  url: string;
  title: string;
}

export type CommitReview =
  | { status: 'reviewed'; pr: PrRef; reviewers: string[]; mergedAt: string }
  | { status: 'merged-without-review'; pr: PrRef; mergedBy: string | null; mergedAt: string }
  | { status: 'in-review'; pr: PrRef; approvals: string[]; changesRequested: string[] }
  | { status: 'closed-unmerged'; pr: PrRef };

interface PrState {
  pr: PullRequestFact;
  /** Every fact about this PR: the merged state and commits must not be lost to a later, thinner event. */
  heads: Set<string>;
  reviews: ReviewFact[];
}

const prKey = (provider: Provider, repoId: string, n: number) => `${provider}\u0000${repoId}\u0000${n}`;

export class PrReviewIndex {
  private readonly prs = new Map<string, PrState>();
  private readonly pushes = new Map<string, PushFact[]>();
  private readonly seen = new Set<string>();

  add(facts: Iterable<PrFact>): void {
    for (const f of facts) {
      const id = JSON.stringify(f);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (f.kind === 'push') {
        const k = `${f.repo.id}\u0000${f.branch}`;
        this.pushes.set(k, [...(this.pushes.get(k) ?? []), f]);
        continue;
      }
      const key = prKey(f.provider, f.repo.id, f.number);
      if (f.kind === 'review') {
        const s = this.prs.get(key);
        if (s) s.reviews.push(f);
        else this.prs.set(key, { pr: placeholderPr(f), heads: new Set(f.commit ? [f.commit] : []), reviews: [f] });
        continue;
      }
      const s = this.prs.get(key);
      if (!s) {
        this.prs.set(key, { pr: f, heads: new Set(f.headSha ? [f.headSha] : []), reviews: [] });
        continue;
      }
      if (f.headSha) s.heads.add(f.headSha);
      s.pr = mergePr(s.pr, f);
    }
  }

  /** The review status of `commit` in repository `repoId`, or null when no PR is known to carry it. */
  reviewOf(repoId: string, commit: string): CommitReview | null {
    const sha = commit.toLowerCase();
    const candidates: PrState[] = [];
    for (const s of this.prs.values()) {
      if (s.pr.repo.id !== repoId) continue;
      if (s.heads.has(sha) || s.pr.mergeCommitSha === sha || this.pushedTo(s.pr, sha)) candidates.push(s);
    }
    if (candidates.length === 0) return null;
    // A commit can ride in several PRs (a reverted then re-opened branch): the merged one decides.
    const order = (s: PrState) => (s.pr.state === 'merged' ? 0 : s.pr.state === 'open' ? 1 : 2);
    candidates.sort((a, b) => order(a) - order(b) || (a.pr.mergedAt ?? a.pr.time).localeCompare(b.pr.mergedAt ?? b.pr.time));
    return statusOf(candidates[0]!);
  }

  private pushedTo(pr: PullRequestFact, sha: string): boolean {
    if (!pr.headRef) return false;
    for (const p of this.pushes.get(`${pr.repo.id}\u0000${pr.headRef}`) ?? []) {
      // Pushes to the branch after the merge belong to whatever comes next, not to this PR.
      if (pr.mergedAt && p.time > pr.mergedAt) continue;
      if (p.commits.includes(sha)) return true;
    }
    return false;
  }
}

function placeholderPr(r: ReviewFact): PullRequestFact {
  return { kind: 'pull-request', provider: r.provider, repo: r.repo, number: r.number, url: '', title: '', author: '', state: 'open', headRef: '', headSha: r.commit, mergeCommitSha: null, mergedAt: null, mergedBy: null, time: '' };
}

/** Later facts win field by field, except that "merged" is final and known values are never blanked. */
function mergePr(a: PullRequestFact, b: PullRequestFact): PullRequestFact {
  const [older, newer] = a.time <= b.time ? [a, b] : [b, a];
  const merged = a.state === 'merged' ? a : b.state === 'merged' ? b : null;
  return {
    ...older,
    ...Object.fromEntries(Object.entries(newer).filter(([, v]) => v !== null && v !== '')),
    state: merged ? 'merged' : newer.state,
    mergeCommitSha: merged?.mergeCommitSha ?? null,
    mergedAt: merged?.mergedAt ?? null,
    mergedBy: merged?.mergedBy ?? a.mergedBy ?? b.mergedBy,
    headSha: newer.headSha ?? older.headSha,
  } as PullRequestFact;
}

function statusOf(s: PrState): CommitReview {
  const pr: PrRef = { provider: s.pr.provider, number: s.pr.number, url: s.pr.url, title: s.pr.title };
  const cutoff = s.pr.state === 'merged' ? (s.pr.mergedAt ?? '\uffff') : '\uffff';
  // Each reviewer's last verdict before the merge; comments do not change a verdict.
  const verdict = new Map<string, ReviewFact['state']>();
  for (const r of [...s.reviews].sort((a, b) => a.time.localeCompare(b.time))) {
    if (r.time > cutoff || r.state === 'commented') continue;
    if (s.pr.author && r.reviewer === s.pr.author) continue;
    verdict.set(r.reviewer, r.state);
  }
  const approvals = [...verdict].filter(([, v]) => v === 'approved').map(([who]) => who).sort();
  const changesRequested = [...verdict].filter(([, v]) => v === 'changes_requested').map(([who]) => who).sort();
  if (s.pr.state === 'merged') {
    const mergedAt = s.pr.mergedAt ?? s.pr.time;
    return approvals.length > 0 ? { status: 'reviewed', pr, reviewers: approvals, mergedAt } : { status: 'merged-without-review', pr, mergedBy: s.pr.mergedBy, mergedAt };
  }
  if (s.pr.state === 'closed') return { status: 'closed-unmerged', pr };
  return { status: 'in-review', pr, approvals, changesRequested };
}

/** One line for a hover, blame or the dashboard. */
export function describeCommitReview(r: CommitReview | null): string {
  if (!r) return 'no pull request known';
  const name = `${r.pr.provider === 'gitlab' ? 'MR !' : 'PR #'}${r.pr.number}`;
  switch (r.status) {
    case 'reviewed':
      return `reviewed by ${r.reviewers.join(', ')} in ${name}`;
    case 'merged-without-review':
      return `merged without review in ${name}${r.mergedBy ? ` by ${r.mergedBy}` : ''}`;
    case 'in-review':
      return `in review in ${name}${r.approvals.length ? ` (approved by ${r.approvals.join(', ')})` : ''}${r.changesRequested.length ? ` (changes requested by ${r.changesRequested.join(', ')})` : ''}`;
    case 'closed-unmerged':
      return `${name} closed without merging`;
  }
}

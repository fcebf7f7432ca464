/**
 * Pull/merge-request webhook deliveries from GitHub and GitLab, reduced to the few facts review status
 * needs: a PR (its head and merge commits, merged or not), a review verdict, and pushed commits (which
 * commits a PR branch carried). Each provider's payload is validated with zod; only the fields we read are
 * required, everything else passes. Shapes follow the providers' documented events:
 *   GitHub: `pull_request`, `pull_request_review`, `push` (header X-GitHub-Event)
 *   GitLab: `Merge Request Hook` (incl. approved/unapproved actions), `Push Hook` (header X-Gitlab-Event)
 * Other events are acknowledged and ignored.
 */
import { z } from 'zod';
import { sha256Hex } from '../model/content';
import { normaliseRemote } from '../git/repoInfo';

export type Provider = 'github' | 'gitlab';

export interface PrRepo {
  /** The same repository id the editor and CLI record (sha256 of "remote:" + normalised remote). */
  id: string;
  remote: string;
}

export interface PullRequestFact {
  kind: 'pull-request';
  provider: Provider;
  repo: PrRepo;
  number: number;
  url: string;
  title: string;
  author: string;
  state: 'open' | 'closed' | 'merged';
  headRef: string;
  headSha: string | null;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  time: string;
}

export interface ReviewFact {
  kind: 'review';
  provider: Provider;
  repo: PrRepo;
  number: number;
  reviewer: string;
  state: 'approved' | 'changes_requested' | 'commented' | 'dismissed' | 'unapproved';
  /** The PR head the verdict was given on, when the provider says. */
  commit: string | null;
  time: string;
}

export interface PushFact {
  kind: 'push';
  provider: Provider;
  repo: PrRepo;
  /** Branch name without refs/heads/. */
  branch: string;
  commits: string[];
  time: string;
}

export type PrFact = PullRequestFact | ReviewFact | PushFact;

export type ParsedDelivery = { ok: true; facts: PrFact[]; ignored?: string } | { ok: false; error: string };

const Sha = z.string().regex(/^[0-9a-f]{40}$/i);
const Login = z.object({ login: z.string().min(1).max(200) });
const GithubRepository = z.object({ full_name: z.string().min(1).max(500), html_url: z.string().url().max(2000) });
const GithubPr = z.object({
  number: z.number().int().positive(),
  html_url: z.string().max(2000),
  title: z.string().max(100_000),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  merge_commit_sha: Sha.nullish(),
  merged_by: Login.nullish(),
  user: Login,
  updated_at: z.string().max(100),
  head: z.object({ ref: z.string().max(1000), sha: Sha }),
});

const GithubPullRequestEvent = z.object({ action: z.string().max(100), pull_request: GithubPr, repository: GithubRepository });
const GithubReviewEvent = z.object({
  action: z.string().max(100),
  review: z.object({
    user: Login,
    state: z.string().max(100),
    submitted_at: z.string().max(100).nullish(),
    commit_id: Sha.nullish(),
  }),
  pull_request: GithubPr,
  repository: GithubRepository,
});
const PushCommits = z.array(z.object({ id: Sha })).max(10_000);
const GithubPushEvent = z.object({ ref: z.string().max(1000), after: Sha, commits: PushCommits, repository: GithubRepository });

const GitlabUser = z.object({ username: z.string().min(1).max(200) });
const GitlabProject = z.object({ web_url: z.string().url().max(2000), path_with_namespace: z.string().max(1000) });
const GitlabMergeRequestEvent = z.object({
  object_kind: z.literal('merge_request'),
  user: GitlabUser,
  project: GitlabProject,
  object_attributes: z.object({
    iid: z.number().int().positive(),
    url: z.string().max(2000),
    title: z.string().max(100_000),
    state: z.string().max(100),
    action: z.string().max(100).optional(),
    author_id: z.number().int().optional(),
    source_branch: z.string().max(1000),
    merge_commit_sha: Sha.nullish(),
    last_commit: z.object({ id: Sha }).nullish(),
    updated_at: z.string().max(100),
  }),
});
const GitlabPushEvent = z.object({ object_kind: z.literal('push'), ref: z.string().max(1000), after: Sha, commits: PushCommits, project: GitlabProject });

export function repoOf(webUrl: string): PrRepo {
  const remote = normaliseRemote(webUrl);
  return { id: sha256Hex(`remote:${remote}`), remote };
}

function isoOr(value: string | null | undefined, fallback: string): string {
  const t = value ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback;
}

const branchOf = (ref: string) => ref.replace(/^refs\/heads\//, '');

/** A push to a branch (both providers name the same fields); a tag push is acknowledged and ignored. */
function pushDelivery(provider: Provider, webUrl: string, push: { ref: string; after: string; commits: { id: string }[] }, now: string): ParsedDelivery {
  if (!push.ref.startsWith('refs/heads/')) return { ok: true, facts: [], ignored: 'push of a tag' };
  // All-zero `after`: the branch was deleted.
  const commits = [...push.commits.map((c) => c.id.toLowerCase()), push.after.toLowerCase()].filter((c) => !/^0+$/.test(c));
  return { ok: true, facts: [{ kind: 'push', provider, repo: repoOf(webUrl), branch: branchOf(push.ref), commits: [...new Set(commits)], time: now }] };
}

function fail(what: string, err: z.ZodError): ParsedDelivery {
  const first = err.issues[0];
  return { ok: false, error: `not a valid ${what} payload: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}` };
}

function githubPrFact(pr: z.infer<typeof GithubPr>, repository: z.infer<typeof GithubRepository>, now: string): PullRequestFact {
  const merged = pr.merged === true || (pr.state === 'closed' && !!pr.merged_at);
  return {
    kind: 'pull-request',
    provider: 'github',
    repo: repoOf(repository.html_url),
    number: pr.number,
    url: pr.html_url,
    title: pr.title.slice(0, 500),
    author: pr.user.login,
    state: merged ? 'merged' : pr.state,
    headRef: pr.head.ref,
    headSha: pr.head.sha.toLowerCase(),
    mergeCommitSha: merged && pr.merge_commit_sha ? pr.merge_commit_sha.toLowerCase() : null,
    mergedAt: merged ? isoOr(pr.merged_at, now) : null,
    mergedBy: merged ? (pr.merged_by?.login ?? null) : null,
    time: isoOr(pr.updated_at, now),
  };
}

const GITHUB_REVIEW_STATES: Record<string, ReviewFact['state']> = {
  approved: 'approved',
  changes_requested: 'changes_requested',
  commented: 'commented',
  dismissed: 'dismissed',
};

export function parseGithubDelivery(event: string | undefined, payload: unknown, now = new Date().toISOString()): ParsedDelivery {
  switch (event) {
    case 'pull_request': {
      const p = GithubPullRequestEvent.safeParse(payload);
      if (!p.success) return fail('GitHub pull_request', p.error);
      return { ok: true, facts: [githubPrFact(p.data.pull_request, p.data.repository, now)] };
    }
    case 'pull_request_review': {
      const p = GithubReviewEvent.safeParse(payload);
      if (!p.success) return fail('GitHub pull_request_review', p.error);
      const state = GITHUB_REVIEW_STATES[(p.data.action === 'dismissed' ? 'dismissed' : p.data.review.state).toLowerCase()];
      if (!state) return { ok: true, facts: [], ignored: `review state "${p.data.review.state.slice(0, 50)}"` };
      const pr = githubPrFact(p.data.pull_request, p.data.repository, now);
      return {
        ok: true,
        facts: [
          pr,
          {
            kind: 'review',
            provider: 'github',
            repo: pr.repo,
            number: pr.number,
            reviewer: p.data.review.user.login,
            state,
            commit: p.data.review.commit_id?.toLowerCase() ?? null,
            time: isoOr(p.data.review.submitted_at, now),
          },
        ],
      };
    }
    case 'push': {
      const p = GithubPushEvent.safeParse(payload);
      if (!p.success) return fail('GitHub push', p.error);
      return pushDelivery('github', p.data.repository.html_url, p.data, now);
    }
    case 'ping':
      return { ok: true, facts: [], ignored: 'ping' };
    default:
      return { ok: true, facts: [], ignored: `event "${String(event).slice(0, 50)}"` };
  }
}

export function parseGitlabDelivery(event: string | undefined, payload: unknown, now = new Date().toISOString()): ParsedDelivery {
  switch (event) {
    case 'Merge Request Hook': {
      const p = GitlabMergeRequestEvent.safeParse(payload);
      if (!p.success) return fail('GitLab merge request', p.error);
      const a = p.data.object_attributes;
      const repo = repoOf(p.data.project.web_url);
      const merged = a.state === 'merged';
      const pr: PullRequestFact = {
        kind: 'pull-request',
        provider: 'gitlab',
        repo,
        number: a.iid,
        url: a.url,
        title: a.title.slice(0, 500),
        // GitLab names the author by id only; the event's user is who acted (the author on "open").
        author: a.action === 'open' ? p.data.user.username : '',
        state: merged ? 'merged' : a.state === 'opened' || a.state === 'open' ? 'open' : 'closed',
        headRef: a.source_branch,
        headSha: a.last_commit?.id.toLowerCase() ?? null,
        mergeCommitSha: merged ? (a.merge_commit_sha?.toLowerCase() ?? null) : null,
        mergedAt: merged ? isoOr(a.updated_at, now) : null,
        mergedBy: merged && a.action === 'merge' ? p.data.user.username : null,
        time: isoOr(a.updated_at, now),
      };
      const facts: PrFact[] = [pr];
      if (a.action === 'approved' || a.action === 'unapproved') {
        facts.push({ kind: 'review', provider: 'gitlab', repo, number: a.iid, reviewer: p.data.user.username, state: a.action, commit: pr.headSha, time: pr.time });
      }
      return { ok: true, facts };
    }
    case 'Push Hook': {
      const p = GitlabPushEvent.safeParse(payload);
      if (!p.success) return fail('GitLab push', p.error);
      return pushDelivery('gitlab', p.data.project.web_url, p.data, now);
    }
    default:
      return { ok: true, facts: [], ignored: `event "${String(event).slice(0, 50)}"` };
  }
}

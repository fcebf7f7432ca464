/**
 * Dashboard page /findings: policy findings (admin, auditor), filterable by kind and repository, with the
 * policy version in force. Findings hold no content (a secret's kind, never the secret).
 */
import type { Handler } from '../context';
import { canAudit } from '../governance/access';
import { checkReviewsNow } from '../governance/governanceJobs';
import { FINDING_KINDS } from '../governance/governanceSchemas';
import type { StoredFindingKind } from '../governance/governanceStore';
import { esc, layout, link, qs, table } from './html';
import { page } from './pages';

export const findingsPage: Handler = async (ctx, r) => {
  const signedIn = r.principal?.user.name ?? '';
  if (!canAudit(r.principal)) {
    page(r.res, 403, layout('Findings', '<p class="error">Only an admin or an auditor may read policy findings.</p>', { signedIn }));
    return;
  }
  const kindParam = r.url.searchParams.get('kind') ?? '';
  const kind = (FINDING_KINDS as readonly string[]).includes(kindParam) ? (kindParam as StoredFindingKind) : undefined;
  const repo = r.url.searchParams.get('repo')?.slice(0, 200) || undefined;
  const before = /^\d{1,15}$/.test(r.url.searchParams.get('cursor') ?? '') ? Number(r.url.searchParams.get('cursor')) : undefined;
  await checkReviewsNow(ctx);
  const items = await ctx.governance.store.findings({ kind, repo }, 101, before);
  const shown = items.slice(0, 100);
  const policy = await ctx.governance.policy();
  const filters = [link('/findings', 'all'), ...FINDING_KINDS.map((k) => (k === kind ? `<b>${esc(k)}</b>` : link(`/findings${qs({ kind: k, repo })}`, k)))].join(' · ');
  const rows = shown.map((f) => [
    esc(f.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
    `<span class="tag">${esc(f.kind)}</span>`,
    f.repo ? link(`/findings${qs({ kind, repo: f.repo })}`, f.repo) : '—',
    esc(f.path ?? '—'),
    link(`/records/${encodeURIComponent(f.recordId)}`, f.recordId),
    esc(`${f.tool} / ${f.model}`),
    esc(f.detail),
    esc(f.closedAt ? `settled: ${f.resolution ?? ''}` : 'open'),
  ]);
  const next = items.length > 100 ? `<p class="pager"><a href="${esc(`/findings${qs({ kind, repo, cursor: String(shown[shown.length - 1]!.id) })}`)}">Older →</a></p>` : '';
  const body = `<p>Policy version ${esc(policy.version)}${policy.version ? ` by ${esc(policy.createdBy)}, ${esc(policy.createdAt)}` : ' (built-in default: nothing is enforced until an admin publishes a policy)'}.</p>
<p>${filters}</p>${table(['found', 'kind', 'repository', 'file', 'record', 'tool / model', 'detail', 'status'], rows, 'No findings.')}${next}`;
  page(r.res, 200, layout(repo ? `Findings in ${repo}` : 'Findings', body, { signedIn }));
};

/**
 * The dashboard's organisation and team view (/org): AI lines by team, repository, tool and model, per
 * week over the last 12 weeks, with how much was kept and rejected; the files with the most AI lines; AI
 * code no review mark covers. Counts only, over the viewer's aggregate scope: admins and auditors see the
 * whole organisation and every team, leads and developers their own teams.
 */
import { scopeFor } from '../access/scope';
import type { Handler } from '../context';
import type { ShareDimension, ShareRow } from '../db/orgViews';
import { sendText } from '../http/respond';
import { esc, layout, link, qs, table } from './html';

const WEEKS = 12;
const pct = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

function shareTable(title: string, rows: ShareRow[]): string {
  return table(
    [title, 'AI edits', 'AI lines', 'kept', 'rejected'],
    rows.map((r) => [esc(r.key), esc(r.edits), esc(r.lines), pct(r.keptLines, r.lines), pct(r.rejectedLines, r.lines)]),
    'No AI edits yet.',
  );
}

/** AI lines per week (rows) and key (columns, the largest first). */
function weeklyTable(rows: ShareRow[]): string {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.lines);
  const keys = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k]) => k);
  const weeks = [...new Set(rows.map((r) => r.week!))].sort();
  const at = new Map(rows.map((r) => [`${r.week}\0${r.key}`, r.lines]));
  return table(['week', ...keys], weeks.map((w) => [esc(w), ...keys.map((k) => esc(at.get(`${w}\0${k}`) ?? 0))]), `No AI edits in the last ${WEEKS} weeks.`);
}

const TITLES: Record<ShareDimension, string> = { team: 'team', repo: 'repository', tool: 'tool', model: 'model' };

export const orgPage: Handler = async (ctx, r) => {
  const access = await scopeFor(ctx.backend, r.principal!);
  const scope = access.aggregate;
  // Admins and auditors: every team of the organisation; others: the teams they are in.
  const teams = scope.userIds === null ? null : access.member.teams;
  const since = new Date(Date.now() - WEEKS * 7 * 86_400_000).toISOString();
  const views = ctx.backend.views;
  let body = `<p>${scope.userIds === null ? `Organisation <b>${esc(access.member.org)}</b>: every team and user.` : `Your teams (${esc(teams!.join(', ') || 'none')}) and your own records: counts only.`}</p>`;
  for (const dim of ['team', 'repo', 'tool', 'model'] as const) {
    const overall = await views.share(scope, dim, { teams });
    const weekly = await views.share(scope, dim, { teams, since, weekly: true });
    body += `<h2>By ${TITLES[dim]}</h2>${shareTable(TITLES[dim], overall)}<h3>AI lines per week by ${TITLES[dim]}</h3>${weeklyTable(weekly)}`;
  }
  const files = await views.topFiles(scope, 25);
  body += `<h2>Files with the most AI lines</h2>${table(['repository', 'file', 'AI edits', 'AI lines'], files.map((f) => [link(`/repos${qs({ repo: f.repo })}`, f.repo), link(`/repos${qs({ repo: f.repo, path: f.path })}`, f.path), esc(f.edits), esc(f.lines)]))}`;
  const unreviewed = await views.unreviewed(scope);
  body += `<h2>Unreviewed AI code</h2><p>AI edits that no review mark (of the edit or its session) covers.</p>${table(['repository', 'AI edits', 'AI lines'], unreviewed.map((u) => [link(`/repos${qs({ repo: u.repo })}`, u.repo), esc(u.edits), esc(u.lines)]), 'Every AI edit is reviewed.')}`;
  sendText(r.res, 200, 'text/html; charset=utf-8', layout('Organisation and teams', body, { signedIn: r.principal!.user.name }), {
    'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
};

/**
 * The dashboard: server-rendered pages over the same queries as the API, signed in with an API token
 * kept in an HttpOnly, SameSite=Strict cookie. Pages only read; the only forms that change anything
 * (sign in/out) are same-site POSTs. Record content is always escaped.
 */
import type { ServerResponse } from 'node:http';
import type { AiEditSession, Content, EditEvent, ProvenanceRecord } from '../../core/model/schema';
import { scopeFor } from '../access/scope';
import type { Handler, RequestInfo } from '../context';
import { readBody } from '../http/body';
import { sendText } from '../http/respond';
import { linesChart } from './chart';
import { CSS, esc, layout, link, qs, table } from './html';
import { describeSearch, searchRecords } from '../search/searchAnswer';

export const SESSION_COOKIE = 'll_session';
const HTML = 'text/html; charset=utf-8';
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function page(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  sendText(res, status, HTML, html, { ...PAGE_HEADERS, ...headers });
}

export function redirectToLogin(res: ServerResponse, url: URL): void {
  const next = url.pathname + url.search;
  res.writeHead(303, { location: `/login${qs({ next: next.length <= 1000 ? next : undefined })}`, 'cache-control': 'no-store' });
  res.end();
}

/** Only local paths: a login link must not be able to send the user elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function loginHtml(next: string, error?: string): string {
  return layout(
    'Sign in',
    `<form class="login" method="post" action="/login">
  <p>Paste an API token (from the server's first start, or <code>lineagelens server token create</code>).</p>
  ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
  <input type="password" name="token" placeholder="llt_..." autocomplete="off" required aria-label="token">
  <input type="hidden" name="next" value="${esc(next)}">
  <button type="submit">Sign in</button></form>`,
  );
}

export const loginPage: Handler = (ctx, { res, url }) => {
  const next = safeNext(url.searchParams.get('next'));
  // With an OIDC provider configured, a second way in (auth/oidcRoutes.ts).
  const oidc = ctx.oidc ? `<p class="oidc"><a class="button" href="/auth/oidc/login${qs({ next })}">Sign in with ${esc(new URL(ctx.oidc.config.issuer).host)}</a></p>` : '';
  page(res, 200, loginHtml(next).replace('<form class="login"', `${oidc}<form class="login"`));
};

export const login: Handler = async (ctx, { req, res }) => {
  const form = new URLSearchParams((await readBody(req, 8 * 1024)).toString('utf8'));
  const token = (form.get('token') ?? '').trim();
  const next = safeNext(form.get('next'));
  const result = await ctx.backend.accounts.authenticate(token);
  if (typeof result === 'string') {
    page(res, 401, loginHtml(next, result === 'revoked' ? 'This token has been revoked.' : 'That token is not valid.'));
    return;
  }
  res.writeHead(303, { location: next, 'set-cookie': `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000`, 'cache-control': 'no-store' });
  res.end();
};

export const logout: Handler = (_ctx, { res }) => {
  res.writeHead(303, { location: '/login', 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`, 'cache-control': 'no-store' });
  res.end();
};

export const css: Handler = (_ctx, { res }) => sendText(res, 200, 'text/css; charset=utf-8', CSS, { 'cache-control': 'max-age=3600' });

// Rows of tables link to their page; the whole row is clickable.
const JS = `document.addEventListener('click',function(e){var tr=e.target.closest&&e.target.closest('tr[data-href]');if(tr&&!e.target.closest('a'))location.href=tr.getAttribute('data-href');});`;
export const js: Handler = (_ctx, { res }) => sendText(res, 200, 'text/javascript; charset=utf-8', JS, { 'cache-control': 'max-age=3600' });

const who = (r: RequestInfo) => r.principal?.user.name ?? '';
const modelText = (m: ProvenanceRecord['model']) => (m === 'unknown' ? 'unknown' : m.provider ? `${m.provider}/${m.id}` : m.id);
const when = (iso: string) => esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
const whenRaw = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const contentText = (c: Content): string | null => (c.form === 'text' || c.form === 'redacted' ? c.text : null);
function contentHtml(c: Content, emptyText: string): string {
  const text = contentText(c);
  if (text !== null) return `<pre>${esc(text)}</pre>${c.form === 'redacted' && c.redactions ? `<p class="empty">${c.redactions} secret(s) redacted</p>` : ''}`;
  if (c.form === 'hash') return `<p class="empty">Kept as a hash only (sha256 ${esc(c.sha256.slice(0, 16))}…)</p>`;
  return `<p class="empty">${esc(emptyText)}</p>`;
}

function pager(url: URL, nextCursor: string | null): string {
  if (!nextCursor) return '';
  const p = new URLSearchParams(url.search);
  p.set('cursor', nextCursor);
  return `<p class="pager"><a href="${esc(`${url.pathname}?${p}`)}">Older →</a></p>`;
}

const cursorOf = (url: URL) => url.searchParams.get('cursor')?.slice(0, 500) || undefined;

// Every page reads in the viewer's scope (access/scope.ts): content in `read`, counts and charts in `aggregate`.
export const home: Handler = async (ctx, r) => {
  const access = await scopeFor(ctx.backend, r.principal!);
  const s = await ctx.backend.queries.stats(access.aggregate);
  const page0 = await ctx.backend.queries.records(access.read, { kind: 'session' }, 25, cursorOf(r.url));
  const since = new Date(Date.now() - 90 * 86_400_000).toISOString();
  const rows = (page0.items as AiEditSession[]).map((x) => [
    link(`/sessions/${encodeURIComponent(x.id)}`, whenRaw(x.startedAt)),
    esc(x.tool.name),
    esc(modelText(x.model)),
    esc(x.repo?.remote ?? x.repo?.id.slice(0, 12) ?? '—'),
    esc(x.files.length),
    esc(x.counts.linesAdded),
  ]);
  const cards = [
    ['AI edits', s.edits],
    ['sessions', s.sessions],
    ['repositories', s.repos],
    ['AI lines', s.aiLines],
  ]
    .map(([k, v]) => `<div class="card"><b>${esc(v)}</b><span>${esc(k)}</span></div>`)
    .join('');
  const body = `<div class="cards">${cards}</div>
<h2>AI lines per day (last 90 days)</h2>${linesChart(await ctx.backend.queries.timeline(access.aggregate, { since }))}
<h2>Recent AI edit sessions</h2>${table(['started', 'tool', 'model', 'repository', 'files', 'lines added'], rows, 'No sessions uploaded yet.')}${pager(r.url, page0.nextCursor)}`;
  page(r.res, 200, layout('AI edit sessions', body, { signedIn: who(r) }));
};

function editRows(edits: EditEvent[]): string[][] {
  return edits.map((e) => [
    link(`/records/${encodeURIComponent(e.id)}`, whenRaw(e.time)),
    esc(e.tool.name),
    esc(modelText(e.model)),
    `${esc(e.file.path)}:${e.rangeAfter.start.line + 1}`,
    `<span class="tag">${esc(e.disposition)}</span>`,
    esc(e.acceptor ? (e.acceptor.gitName ?? e.acceptor.osUser) : '—'),
  ]);
}

export const sessionPage: Handler = async (ctx, r) => {
  const id = r.params[0]!;
  const { read } = await scopeFor(ctx.backend, r.principal!);
  const record = (await ctx.backend.queries.record(read, id)) as ProvenanceRecord | null;
  const edits = await ctx.backend.queries.records(read, { session: id, kind: 'edit' }, 200, cursorOf(r.url));
  if (!record && edits.items.length === 0) return notFound(r, `No session with id ${id}`);
  let head = '';
  if (record?.kind === 'session') {
    const prompts = record.prompts.map((p) => contentHtml(p.content, 'Prompt not kept (privacy level).')).join('');
    head = `<dl><dt>tool</dt><dd>${esc(record.tool.name)} ${esc(record.tool.version ?? '')}</dd><dt>model</dt><dd>${esc(modelText(record.model))}</dd>
<dt>repository</dt><dd>${esc(record.repo?.remote ?? record.repo?.id ?? '—')}</dd><dt>time</dt><dd>${when(record.startedAt)} – ${when(record.endedAt)}</dd>
<dt>lines</dt><dd>${record.counts.linesAdded} added, ${record.counts.linesKept} kept, ${record.counts.linesRejected} rejected</dd>
<dt>files</dt><dd>${record.files.map(esc).join('<br>')}</dd></dl><h2>Prompts</h2>${prompts || '<p class="empty">No prompts recorded.</p>'}`;
  }
  const body = `${head}<h2>Edits</h2>${table(['time', 'tool', 'model', 'file:line', 'disposition', 'accepted by'], editRows(edits.items as EditEvent[]))}${pager(r.url, edits.nextCursor)}`;
  page(r.res, 200, layout(`Session ${id}`, body, { signedIn: who(r) }));
};

function notFound(r: RequestInfo, message: string): void {
  page(r.res, 404, layout('Not found', `<p class="empty">${esc(message)}</p>`, { signedIn: who(r) }));
}

function codeWithLines(e: EditEvent): string {
  const text = contentText(e.insertedText);
  if (text === null) return contentHtml(e.insertedText, 'Code not kept (privacy level).');
  const first = e.rangeAfter.start.line + 1;
  return `<pre>${text
    .split('\n')
    .map((l, i) => `<span class="ln">${first + i}</span>${esc(l)}`)
    .join('\n')}</pre>`;
}

export const recordPage: Handler = async (ctx, r) => {
  const id = r.params[0]!;
  const record = (await ctx.backend.queries.record((await scopeFor(ctx.backend, r.principal!)).read, id)) as ProvenanceRecord | null;
  if (!record) return notFound(r, `No record with id ${id}`);
  if (record.kind === 'session') {
    r.res.writeHead(303, { location: `/sessions/${encodeURIComponent(id)}` });
    r.res.end();
    return;
  }
  const e = record;
  const a = e.acceptor;
  const review = `${e.review.status}${e.review.by ? ` by ${e.review.by}` : ''}${e.review.at ? ` at ${e.review.at}` : ''}${e.review.ref ? ` (${e.review.ref})` : ''}`;
  const body = `<dl>
<dt>tool</dt><dd>${esc(e.tool.name)} ${esc(e.tool.version ?? '')}</dd>
<dt>model</dt><dd>${esc(modelText(e.model))}</dd>
<dt>time</dt><dd>${when(e.time)}</dd>
<dt>file</dt><dd>${esc(e.file.path)} lines ${e.rangeAfter.start.line + 1}–${e.rangeAfter.end.line + 1}</dd>
<dt>repository</dt><dd>${e.file.repo ? link(`/repos${qs({ repo: e.file.repo.id })}`, e.file.repo.remote ?? e.file.repo.id) : '—'}${e.file.branch ? ` on ${esc(e.file.branch)}` : ''}</dd>
<dt>commit</dt><dd>${esc(e.file.commit ?? 'not known')}</dd>
<dt>accepted by</dt><dd>${a ? esc(`${a.gitName ?? a.osUser}${a.gitEmail ? ` <${a.gitEmail}>` : ''}`) : '—'}</dd>
<dt>disposition</dt><dd><span class="tag">${esc(e.disposition)}</span></dd>
<dt>review</dt><dd>${esc(review)}</dd>
<dt>captured by</dt><dd>${esc(e.capture.method)} (confidence ${esc(e.capture.confidence)})</dd>
<dt>session</dt><dd>${link(`/sessions/${encodeURIComponent(e.sessionId)}`, e.sessionId)}</dd>
<dt>lineage</dt><dd>${link(`/lineage${qs({ node: `edit:${id}` })}`, 'ancestry graph')}</dd>
</dl>
<h2>Prompt</h2>${e.prompt ? contentHtml(e.prompt.content, 'Prompt not kept (privacy level).') : '<p class="empty">No prompt (an inline completion).</p>'}
<h2>Code</h2>${codeWithLines(e)}`;
  page(r.res, 200, layout(`AI edit ${id}`, body, { signedIn: who(r) }));
};

export const reposPage: Handler = async (ctx, r) => {
  const repo = r.url.searchParams.get('repo')?.slice(0, 200) || undefined;
  const path = r.url.searchParams.get('path')?.slice(0, 4096) || undefined;
  const access = await scopeFor(ctx.backend, r.principal!);
  let body: string;
  if (!repo) {
    const rows = (await ctx.backend.queries.repos(access.aggregate)).map((x) => [link(`/repos${qs({ repo: x.repo })}`, x.repo), esc(x.edits), esc(x.lines)]);
    body = table(['repository', 'AI edits', 'AI lines'], rows, 'No repositories yet.');
  } else {
    const points = await ctx.backend.queries.timeline(access.aggregate, { repo, path });
    const total = points.reduce((n, p) => n + p.lines, 0);
    const kept = points.reduce((n, p) => n + p.keptLines, 0);
    const head = `<p>${link(`/repos`, 'All repositories')}${path ? ` / ${link(`/repos${qs({ repo })}`, repo)}` : ''}</p>
<p>${total} AI lines, ${kept} kept (${total ? Math.round((100 * kept) / total) : 0}%).</p>${linesChart(points)}`;
    if (path) {
      const edits = await ctx.backend.queries.records(access.read, { repo, path, kind: 'edit' }, 50, cursorOf(r.url));
      body = `${head}<h2>AI edits in ${esc(path)}</h2>${table(['time', 'tool', 'model', 'file:line', 'disposition', 'accepted by'], editRows(edits.items as EditEvent[]))}${pager(r.url, edits.nextCursor)}`;
    } else {
      const rows = (await ctx.backend.queries.topFiles(access.aggregate, repo, 50)).map((f) => [link(`/repos${qs({ repo, path: f.path })}`, f.path), esc(f.edits), esc(f.lines)]);
      body = `${head}<h2>Files with the most AI lines</h2>${table(['file', 'AI edits', 'AI lines'], rows)}`;
    }
  }
  page(r.res, 200, layout(path ? `AI share: ${path}` : repo ? `AI share: ${repo}` : 'Repositories', body, { signedIn: who(r) }));
};

export const searchPage: Handler = async (ctx, r) => {
  const q = (r.url.searchParams.get('q') ?? '').slice(0, 500);
  const mode = (['lexical', 'semantic', 'hybrid'] as const).find((m) => m === r.url.searchParams.get('mode'));
  const answer = q ? await searchRecords(ctx.backend, (await scopeFor(ctx.backend, r.principal!)).read, { q, mode, limit: 50, cursor: cursorOf(r.url) }) : null;
  const results = answer ? { items: answer.records, nextCursor: answer.nextCursor } : { items: [], nextCursor: null };
  const rows = (results.items as ProvenanceRecord[]).map((x) =>
    x.kind === 'edit'
      ? [link(`/records/${encodeURIComponent(x.id)}`, x.id), esc(x.tool.name), esc(x.file.path), esc((contentText(x.prompt?.content ?? { form: 'none' }) ?? contentText(x.insertedText) ?? '').slice(0, 120))]
      : [link(`/sessions/${encodeURIComponent(x.id)}`, x.id), esc(x.tool.name), 'session', esc((x.prompts.map((p) => contentText(p.content) ?? '').join(' ')).slice(0, 120))],
  );
  const notice = answer ? `<p class="search-mode" data-mode="${esc(answer.search.mode)}">${esc(describeSearch(answer.search))}</p>` : '';
  const body = q ? `${notice}${table(['record', 'tool', 'file', 'excerpt'], rows, `Nothing matches “${q}”.`)}${pager(r.url, results.nextCursor)}` : '<p class="empty">Type words to find in prompts and code.</p>';
  page(r.res, 200, layout(q ? `Search: ${q}` : 'Search', body, { signedIn: who(r), query: q }));
};

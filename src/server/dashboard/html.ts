/** Small helpers for server-rendered pages: escaping (everything from a record is escaped) and the layout. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function link(href: string, text: unknown): string {
  return `<a href="${esc(href)}">${esc(text)}</a>`;
}

export const qs = (params: Record<string, string | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

export function layout(title: string, body: string, options: { signedIn?: string; query?: string } = {}): string {
  const nav = options.signedIn
    ? `<nav><a href="/" class="brand">LineageLens</a><a href="/">Sessions</a><a href="/repos">Repositories</a><a href="/lineage">Lineage</a><a href="/org">Teams</a><a href="/findings">Findings</a>
  <form action="/search" method="get" class="search"><input name="q" placeholder="Search prompts and code" value="${esc(options.query ?? '')}" aria-label="search"><button>Search</button></form>
  <span class="who">${esc(options.signedIn)}</span><form action="/logout" method="post"><button class="link">Sign out</button></form></nav>`
    : `<nav><span class="brand">LineageLens</span></nav>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · LineageLens</title><link rel="stylesheet" href="/dashboard.css"><script src="/dashboard.js" defer></script></head>
<body>${nav}<main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

export function table(headers: string[], rows: string[][], empty = 'Nothing yet.'): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const CSS = `
:root{--fg:#1d2330;--muted:#667085;--line:#e4e7ec;--accent:#3b5bdb;--bg:#f8f9fb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--fg);background:var(--bg)}
nav{display:flex;gap:16px;align-items:center;padding:10px 24px;background:#fff;border-bottom:1px solid var(--line)}
nav a{color:var(--fg);text-decoration:none}nav .brand{font-weight:700;color:var(--accent)}nav .who{margin-left:auto;color:var(--muted)}
nav form{margin:0}nav .search input{width:280px;padding:5px 8px;border:1px solid var(--line);border-radius:6px}
button{padding:5px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}button.link{border:0;background:none;color:var(--accent)}
main{max-width:1100px;margin:0 auto;padding:16px 24px}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase}a{color:var(--accent)}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.card b{display:block;font-size:22px}.card span{color:var(--muted)}dl{display:grid;grid-template-columns:160px 1fr;gap:6px 12px;background:#fff;border:1px solid var(--line);padding:12px;border-radius:8px}
dt{color:var(--muted)}dd{margin:0}pre{background:#0f1420;color:#e6e9ef;padding:12px;border-radius:8px;overflow:auto;max-height:480px}
pre .ln{color:#6b7389;user-select:none;display:inline-block;width:4em}.tag{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef2ff;color:var(--accent);font-size:12px}
.empty{color:var(--muted)}.error{color:#b42318}.login{max-width:420px;background:#fff;border:1px solid var(--line);padding:20px;border-radius:8px}
.login input{width:100%;padding:8px;margin:8px 0;border:1px solid var(--line);border-radius:6px}svg.chart{background:#fff;border:1px solid var(--line);border-radius:8px}
.pager{margin-top:10px}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;font-size:13px}.filters input[type=checkbox]{margin:0 2px}
.lineage-wrap{display:flex;gap:12px}#lineage-graph{flex:1;height:560px;background:#fff;border:1px solid var(--line);border-radius:8px}
#lineage-ancestry{width:320px;font-size:13px}#lineage-chain li{margin:4px 0}
`;

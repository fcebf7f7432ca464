/**
 * The dashboard's lineage graph: an interactive graph (cytoscape, served from this server's own
 * node_modules, never a CDN) of the newest AI edits matching the filters (tool, model, time window) and
 * their neighbours; node kinds can be hidden; clicking an edit (or opening /lineage?node=edit:<id>, as the
 * record page links) loads its ancestry and lists the chain. Data comes from /lineage/data, the same
 * answers as GET /api/v1/lineage, under the dashboard's cookie.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { z } from 'zod';
import type { Handler } from '../context';
import { HttpError, sendJson, sendText } from '../http/respond';
import { parseQuery } from '../api/params';
import { answerLineage, LineageQuery, principalViewer } from '../lineage/lineageQuery';
import { obscureRedacted } from '../lineage/obscureRedacted';
import { esc, layout } from './html';

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const KINDS = ['edit', 'session', 'prompt', 'commit', 'pr', 'file', 'human', 'redacted'];

export const lineagePage: Handler = (_ctx, r) => {
  const p = r.url.searchParams;
  const v = (k: string) => esc(p.get(k)?.slice(0, 300) ?? '');
  const body = `<form id="lineage-filters" class="filters">
  <label>tool <input name="tool" value="${v('tool')}" size="12"></label>
  <label>model <input name="model" value="${v('model')}" size="16"></label>
  <label>since <input name="since" value="${v('since')}" placeholder="2026-01-01T00:00:00Z" size="22"></label>
  <label>until <input name="until" value="${v('until')}" placeholder="2026-12-31T23:59:59Z" size="22"></label>
  <span class="kinds">${KINDS.map((k) => `<label><input type="checkbox" name="kind" value="${k}" checked> ${k}</label>`).join(' ')}</span>
  <button type="submit">Show</button>
</form>
<input type="hidden" id="lineage-start" value="${v('node')}">
<p id="lineage-status" class="empty" role="status">Loading…</p>
<div class="lineage-wrap"><div id="lineage-graph"></div><aside id="lineage-ancestry"><p class="empty">Click an edit to see its ancestry.</p></aside></div>
<script src="/vendor/cytoscape.min.js" defer></script><script src="/lineage.js" defer></script>`;
  sendText(r.res, 200, 'text/html; charset=utf-8', layout('Lineage', body, { signedIn: r.principal?.user.name ?? '' }), PAGE_HEADERS);
};

const Overview = z
  .object({
    tool: z.string().min(1).max(100).optional(),
    model: z.string().min(1).max(301).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(2000).default(300),
  })
  .strict();

/** The page's data: a lineage question (node=..., as the API), or the overview of the filtered edits. */
export const lineageData: Handler = async (ctx, { res, url, principal }) => {
  const q = url.searchParams;
  const viewer = await principalViewer(ctx, principal!);
  const { access } = viewer;
  if (q.has('node') || q.has('session') || q.has('prompt') || q.has('repo')) {
    sendJson(res, 200, await answerLineage(ctx, parseQuery(LineageQuery, url), viewer));
    return;
  }
  const f = parseQuery(Overview, url);
  await ctx.lineage.queue.idle();
  sendJson(res, 200, { overview: obscureRedacted(await ctx.lineage.service.overview(f, f.limit, access)) });
};

let cytoscapeText: string | null = null;
/** cytoscape's browser build: from node_modules (a checkout, npm install), else next to the bundle (dist/vendor). */
function cytoscapeSource(): string {
  if (cytoscapeText !== null) return cytoscapeText;
  const candidates: string[] = [];
  try {
    candidates.push(createRequire(__filename).resolve('cytoscape/dist/cytoscape.min.js'));
  } catch {
    // not installed as a package: the copy the build puts next to the bundle
  }
  candidates.push(path.join(__dirname, 'vendor', 'cytoscape.min.js'));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new HttpError(404, 'the graph library (cytoscape) is not installed with this server');
  return (cytoscapeText = readFileSync(found, 'utf8'));
}

export const cytoscapeJs: Handler = (_ctx, { res }) => sendText(res, 200, 'text/javascript; charset=utf-8', cytoscapeSource(), { 'cache-control': 'max-age=86400' });

export const lineageJs: Handler = (_ctx, { res }) => sendText(res, 200, 'text/javascript; charset=utf-8', LINEAGE_JS, { 'cache-control': 'max-age=3600' });

/** The page's script (plain ES2017, no build step): filters -> data -> cytoscape; tap an edit -> ancestry. */
const LINEAGE_JS = String.raw`(function () {
  'use strict';
  var COLORS = { edit: '#2563eb', session: '#7c3aed', prompt: '#a855f7', commit: '#059669', pr: '#d97706', file: '#64748b', human: '#dc2626', redacted: '#9ca3af' };
  var form = document.getElementById('lineage-filters');
  var status = document.getElementById('lineage-status');
  var panel = document.getElementById('lineage-ancestry');
  var cy = null;
  function text(s) { return document.createTextNode(String(s == null ? '' : s)); }
  function label(n) {
    var a = n.attrs || {};
    if (n.kind === 'edit') return (a.tool || 'edit') + (a.model ? ' ' + a.model : '') + (a.path ? '\n' + a.path + ':' + a.line : '');
    if (n.kind === 'session') return 'session ' + (a.tool || '');
    if (n.kind === 'commit') return 'commit ' + String(a.sha || '').slice(0, 8);
    if (n.kind === 'pr') return 'PR #' + a.number + (a.status ? ' ' + a.status : '');
    if (n.kind === 'file') return a.path || 'file';
    if (n.kind === 'redacted') return 'redacted';
    return n.kind;
  }
  function kinds() {
    var out = {};
    form.querySelectorAll('input[name=kind]').forEach(function (c) { out[c.value] = c.checked; });
    return out;
  }
  function params() {
    var p = new URLSearchParams();
    ['tool', 'model', 'since', 'until'].forEach(function (k) { var v = form.elements[k].value.trim(); if (v) p.set(k, v); });
    return p;
  }
  function draw(graph) {
    var show = kinds();
    var ids = {};
    var els = [];
    graph.nodes.forEach(function (n) {
      if (!show[n.kind]) return;
      ids[n.id] = true;
      els.push({ group: 'nodes', data: { id: n.id, kind: n.kind, label: label(n), color: COLORS[n.kind] || '#334155' } });
    });
    graph.edges.forEach(function (e, i) {
      if (!ids[e.from] || !ids[e.to]) return;
      els.push({ group: 'edges', data: { id: 'e' + i, source: e.from, target: e.to, kind: e.kind, label: e.kind } });
    });
    if (cy) cy.destroy();
    cy = cytoscape({
      container: document.getElementById('lineage-graph'),
      elements: els,
      style: [
        { selector: 'node', style: { 'background-color': 'data(color)', label: 'data(label)', 'font-size': 9, 'text-wrap': 'wrap', 'text-valign': 'bottom', width: 18, height: 18 } },
        { selector: 'edge', style: { width: 1.5, 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 7, color: '#64748b' } },
        { selector: '.chain', style: { 'border-width': 3, 'border-color': '#f59e0b', 'line-color': '#f59e0b', 'target-arrow-color': '#f59e0b' } },
      ],
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1 },
    });
    cy.on('tap', 'node', function (ev) {
      var k = ev.target.data('kind');
      if (k === 'edit' || k === 'human') openAncestry(ev.target.id());
    });
    window.lineageGraph = { nodes: cy.nodes().length, edges: cy.edges().length, cy: cy };
    document.body.setAttribute('data-graph-nodes', String(cy.nodes().length));
  }
  function fetchJson(q) {
    return fetch('/lineage/data?' + q.toString(), { credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || r.status); return body; });
    });
  }
  function renderChain(a) {
    panel.textContent = '';
    var h = document.createElement('h2'); h.appendChild(text('Ancestry')); panel.appendChild(h);
    var ol = document.createElement('ol'); ol.id = 'lineage-chain';
    a.chain.forEach(function (s) {
      var li = document.createElement('li');
      li.setAttribute('data-node', s.node.id);
      var line = label(s.node).replace('\n', ' ');
      if (s.session && s.session.kind !== 'redacted') line += ' · ' + label(s.session);
      if (s.via) line += ' (' + s.via.evidence + ', ' + s.via.confidence + ')';
      li.appendChild(text(line));
      ol.appendChild(li);
    });
    panel.appendChild(ol);
    a.landed.forEach(function (l) {
      var p = document.createElement('p'); p.className = 'landed';
      var s = 'landed in ' + label(l.commit) + (l.path ? ' (' + l.path + ')' : '');
      l.rewrittenAs.forEach(function (c) { s += ' → rewritten as ' + label(c); });
      l.prs.forEach(function (pr) { s += ' → ' + label(pr) + (pr.attrs && pr.attrs.by ? ' by ' + pr.attrs.by : ''); });
      p.appendChild(text(s)); panel.appendChild(p);
    });
  }
  function openAncestry(id) {
    status.textContent = 'Loading ancestry…';
    var q = new URLSearchParams(); q.set('node', id);
    fetchJson(q).then(function (a) {
      draw(a.graph);
      a.chain.forEach(function (s) { var n = cy.getElementById(s.node.id); if (n) n.addClass('chain'); });
      renderChain(a);
      status.textContent = 'Ancestry of ' + id + ': ' + a.chain.length + ' step(s).';
    }, function (err) { status.textContent = 'Could not load the ancestry: ' + err.message; });
  }
  function overview() {
    status.textContent = 'Loading…';
    fetchJson(params()).then(function (body) {
      draw(body.overview);
      status.textContent = body.overview.nodes.length === 0 ? 'No lineage matches these filters.' : cy.nodes().length + ' node(s), ' + cy.edges().length + ' edge(s).';
    }, function (err) { status.textContent = 'Could not load the graph: ' + err.message; });
  }
  form.addEventListener('submit', function (ev) { ev.preventDefault(); overview(); });
  var start = document.getElementById('lineage-start').value;
  if (start) openAncestry(start); else overview();
})();
`;

/**
 * The dashboard's lineage graph in a real headless Chromium (Debian's, driven by playwright-core) against a
 * real server process, per backend: the graph draws (cytoscape served by the server itself: no request
 * leaves it), filters narrow it (tool, node kinds), clicking an edit node opens its ancestry, and the
 * record page links to it. Saves a screenshot to docs/screenshots/lineage.png.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import { textContent } from '../../src/core/model/content';
import { aiEdit } from './gitHelpers';
import { repoRoot } from './helpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, type ServerProcess, startServerProcess } from './serverHarness';

const CHROMIUM = '/usr/bin/chromium';
const REPO = 'b'.repeat(64);
const squareV1 = ['export function areaOfSquare(side: number) {', '  return side * side;', '}'];
const squareV2 = ['export function areaOfSquare(side: number): number {', '  if (side < 0) throw new RangeError("negative side");', '  return side * side;', '}'];

interface GraphState {
  nodes: number;
  kinds: string[];
}

for (const backend of backendsUnderTest())
describe(`dashboard lineage graph in headless Chromium (real server process, ${backend.name})`, function () {
  this.timeout(90_000);
  let storage: TestStorage;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const copilot = aiEdit(REPO, 'area.ts', 2, squareV1, { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, sessionId: 'ses_dash_c', prompt: { content: textContent('square helper'), source: 'transcript' } });
  const claude = aiEdit(REPO, 'area.ts', 2, squareV2, {
    time: new Date(Date.parse(copilot.time) + 60_000).toISOString(),
    sessionId: 'ses_dash_s',
    rangeBefore: { start: { line: 2, character: 0 }, end: { line: 5, character: 0 } },
    deletedText: textContent(`${squareV1.join('\n')}\n`),
  });

  // Browser-side expressions as strings (the tests compile without the DOM types).
  const graphState = () =>
    page.evaluate(`(() => { const cy = window.lineageGraph.cy; return { nodes: cy.nodes().length, kinds: [...new Set(cy.nodes().map((n) => n.data('kind')))].sort() }; })()`) as Promise<GraphState>;
  // Locators, not waitForFunction: the page's CSP (no eval) applies to the test's predicates too.
  const waitForStatus = (re: RegExp) => page.locator('#lineage-status', { hasText: re }).waitFor();

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (.ci/run does)`);
    storage = await backend.create('ll-lineage-dash-');
    server = await startServerProcess(storage.data, storage.args);
    const res = await api(server.url, server.token, '/api/v1/records', { body: { source: 'dash', entries: chainEntries([copilot, claude]).entries } });
    assert.equal(res.status, 200, res.text);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=token]', server.token!);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await storage?.drop();
  });

  it('draws the graph of the newest edits and their neighbours (sessions, rewrites), from the server alone', async () => {
    await page.click('nav a[href="/lineage"]');
    await waitForStatus(/node\(s\)/);
    const g = await graphState();
    assert.deepEqual(g.kinds, ['edit', 'session']);
    assert.equal(g.nodes, 2 + 2);
    assert.deepEqual(foreign, [], 'no request leaves the server (no CDN)');
  });

  it('filters by tool and by node kind', async () => {
    await page.fill('input[name=tool]', 'copilot');
    await page.uncheck('input[name=kind][value=session]');
    await page.click('#lineage-filters button[type=submit]');
    await waitForStatus(/^2 node\(s\)/);
    // Copilot's edit and the edit derived from it (its neighbour); sessions hidden.
    assert.deepEqual(await graphState(), { nodes: 2, kinds: ['edit'] });
    await page.fill('input[name=tool]', 'nobody');
    await page.click('#lineage-filters button[type=submit]');
    await waitForStatus(/No lineage matches/);
  });

  it('clicking an edit node opens its ancestry', async () => {
    await page.fill('input[name=tool]', '');
    await page.check('input[name=kind][value=session]');
    await page.click('#lineage-filters button[type=submit]');
    await waitForStatus(/node\(s\)/);
    const target = nodeId.edit(claude.id);
    const at = (await page.evaluate(`(() => {
      const box = document.getElementById('lineage-graph').getBoundingClientRect();
      const p = window.lineageGraph.cy.getElementById(${JSON.stringify(target)}).renderedPosition();
      return { x: box.left + p.x, y: box.top + p.y };
    })()`)) as { x: number; y: number };
    await page.mouse.click(at.x, at.y);
    await waitForStatus(/Ancestry of/);
    const chain = await page.$$eval('#lineage-chain li', (lis) => lis.map((li) => [li.getAttribute('data-node'), li.textContent]));
    assert.deepEqual(chain.map((c) => c[0]), [nodeId.edit(copilot.id), nodeId.edit(claude.id)]);
    assert.match(chain[0]![1]!, /^copilot gpt-4o/);
    assert.match(chain[1]![1]!, /claude-code .*\(content-hash, 1\)$/);
    await page.screenshot({ path: path.join(repoRoot, 'docs', 'screenshots', 'lineage.png') });
  });

  it('the record page links to the ancestry graph', async () => {
    await page.goto(`${server.url}/records/${encodeURIComponent(claude.id)}`);
    await page.click('a:has-text("ancestry graph")');
    await waitForStatus(/Ancestry of .*2 step/);
    assert.equal(await page.locator('#lineage-chain li').count(), 2);
    assert.deepEqual(foreign, []);
  });
});

/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core) against a real server
 * process: sign in with a token, see a session, open a record, search. Saves a screenshot to
 * docs/screenshots/dashboard.png.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EventGenerator, REALISTIC_SHAPE } from '../../bench/helpers/eventGenerator';
import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { repoRoot } from './helpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, type ServerProcess, startServerProcess } from './serverHarness';

const CHROMIUM = '/usr/bin/chromium';

for (const backend of backendsUnderTest())
describe(`dashboard in headless Chromium (real server process, ${backend.name})`, function () {
  this.timeout(90_000);
  let storage: TestStorage;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let records: ProvenanceRecord[];

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (.ci/run does)`);
    storage = await backend.create('ll-dashboard-');
    server = await startServerProcess(storage.data, storage.args);
    // Recent records, so the 90-day chart has bars: 600 records 20 minutes apart, ending about now.
    const start = Date.now() - 600 * 20 * 60_000;
    records = new EventGenerator(21, { ...REALISTIC_SHAPE, repos: 3, spacingMs: 20 * 60_000, startTime: start }).batch(600);
    const marked = records.find((r): r is EditEvent => r.kind === 'edit' && r.prompt !== null)!;
    marked.prompt!.content = { form: 'text', text: 'Add a retry with exponential backoff to the quokka client', sha256: 'b'.repeat(64) };
    const res = await api(server.url, server.token, '/api/v1/records', { body: { source: 'dash', entries: chainEntries(records).entries } });
    assert.equal(res.status, 200, res.text);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await storage?.drop();
  });

  it('asks for a token, refuses a wrong one, and signs in with the right one', async () => {
    await page.goto(`${server.url}/`);
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('input[name=token]', 'llt_wrong');
    await page.click('button[type=submit]');
    assert.match(await page.textContent('.error') ?? '', /not valid/);
    await page.fill('input[name=token]', server.token!);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    assert.equal(await page.textContent('h1'), 'AI edit sessions');
    assert.ok(await page.locator('svg.chart rect').count() > 0, 'the AI-lines chart has bars');
  });

  it('shows recent sessions and opens one, then one of its records with everything it holds', async () => {
    const sessions = records.filter((r): r is AiEditSession => r.kind === 'session').sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    const newest = sessions[0]!;
    const row = page.locator('table tbody tr').first();
    assert.match((await row.textContent()) ?? '', new RegExp(newest.tool.name));
    if (backend.name === 'sqlite') await page.screenshot({ path: path.join(repoRoot, 'docs', 'screenshots', 'dashboard.png'), fullPage: true });
    await row.locator('a').click();
    await page.waitForURL(new RegExp(`/sessions/${newest.id}$`));
    const edits = records.filter((r): r is EditEvent => r.kind === 'edit' && r.sessionId === newest.id);
    assert.equal(await page.locator('table tbody tr').count(), edits.length);
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL(/\/records\//);
    const id = decodeURIComponent(page.url().split('/records/')[1]!);
    const edit = edits.find((e) => e.id === id)!;
    const text = (await page.textContent('main')) ?? '';
    for (const expected of [edit.tool.name, edit.file.path, edit.disposition, edit.acceptor!.gitName!, edit.file.commit!, edit.review.status, (edit.insertedText as { text: string }).text.split('\n')[0]!]) {
      assert.ok(text.includes(expected), `record page shows ${expected}`);
    }
    if (edit.model !== 'unknown') assert.ok(text.includes(edit.model.id));
  });

  it('searches prompts and opens the hit', async () => {
    await page.fill('nav input[name=q]', 'quokka backoff');
    await page.press('nav input[name=q]', 'Enter');
    await page.waitForURL(/\/search\?q=quokka/);
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 1);
    await rows.first().locator('a').click();
    await page.waitForURL(/\/records\//);
    assert.match((await page.textContent('main')) ?? '', /quokka client/);
  });

  it('shows per-repository and per-file AI share over time', async () => {
    await page.goto(`${server.url}/repos`);
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL(/\/repos\?repo=/);
    assert.ok(await page.locator('svg.chart rect').count() > 0);
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL(/&path=/);
    assert.ok(await page.locator('svg.chart rect').count() > 0);
    assert.match((await page.textContent('main')) ?? '', /AI lines, \d+ kept \(\d+%\)/);
  });
});

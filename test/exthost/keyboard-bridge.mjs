// The keyboard bridge: tests run inside the extension host and cannot reach Playwright, which lives in the
// harness process. So the harness serves this small HTTP API on 127.0.0.1 (random port) and puts its URL in
// code-server's environment as LINEAGELENS_TEST_KEYS_URL; the extension host inherits it, and the tests'
// helpers (test/integration/helpers.ts) press real keys on the workbench page through it.
//
// POST, JSON body, answers 200 {"ok":true} or 4xx/5xx {"error":"..."}:
//   /type  {text, delayMs?}                 keyboard.type: one key press per character ("\n" is Enter)
//   /press {key}                            keyboard.press, Playwright key names: "Tab", "Escape", "Control+V"
//   /wait  {selector, state?, timeoutMs?}   waitForSelector on the workbench (state: attached|detached|visible|hidden)
//   /clipboard {text}                       puts text on the browser's clipboard (what a real Ctrl+V pastes)
//   /screenshot {path}                      a PNG of the workbench page, written to path (absolute, .png)
//   /hover {selector}                       moves the mouse over the first element matching selector
// Requests wait for the workbench page to exist, and run one at a time in arrival order, so keys sent by
// successive requests reach the page in that order.

import http from 'node:http';

export const KEYS_URL_ENV = 'LINEAGELENS_TEST_KEYS_URL';

const MAX_BODY_BYTES = 256 * 1024;
const DEFAULT_WAIT_MS = 5_000;
const MAX_WAIT_MS = 60_000;

class BadRequest extends Error {}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest(`body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new BadRequest('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

const text = (body, key) => {
  if (typeof body[key] !== 'string' || body[key] === '') throw new BadRequest(`"${key}" must be a non-empty string`);
  return body[key];
};

const ACTIONS = {
  async type(page, body) {
    const delay = Number.isFinite(body.delayMs) ? Math.min(Math.max(body.delayMs, 0), 1000) : 0;
    await page.keyboard.type(text(body, 'text'), { delay });
  },
  async press(page, body) {
    await page.keyboard.press(text(body, 'key'));
  },
  async wait(page, body) {
    const state = body.state ?? 'visible';
    if (!['attached', 'detached', 'visible', 'hidden'].includes(state)) throw new BadRequest(`unknown state ${state}`);
    const timeout = Number.isFinite(body.timeoutMs) ? Math.min(Math.max(body.timeoutMs, 0), MAX_WAIT_MS) : DEFAULT_WAIT_MS;
    await page.waitForSelector(text(body, 'selector'), { state, timeout });
  },
  async screenshot(page, body) {
    const file = text(body, 'path');
    if (!file.startsWith('/') || !file.endsWith('.png')) throw new BadRequest('"path" must be an absolute .png path');
    await page.screenshot({ path: file });
  },
  async hover(page, body) {
    await page.hover(text(body, 'selector'), { timeout: DEFAULT_WAIT_MS });
  },
  async clipboard(page, body) {
    // Runs in the page; the harness grants the page clipboard access (host.mjs).
    await page.evaluate((t) => globalThis.navigator.clipboard.writeText(t), text(body, 'text'));
  },
};

/**
 * Starts the bridge. `page` is a promise of the Playwright page (the bridge is up before the browser so its
 * URL can go into code-server's environment). Returns { url, close }.
 */
export async function startKeyboardBridge(page) {
  let queue = Promise.resolve();
  const server = http.createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const name = (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '');
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (req.method !== 'POST' || !action) return reply(404, { error: `unknown request ${req.method} ${req.url}; POST /type, /press, /wait or /clipboard` });
    try {
      const body = await readJson(req);
      const run = queue.then(async () => action(await page, body));
      queue = run.catch(() => {});
      await run;
      reply(200, { ok: true });
    } catch (err) {
      reply(err instanceof BadRequest ? 400 : 500, { error: err?.message ?? String(err) });
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

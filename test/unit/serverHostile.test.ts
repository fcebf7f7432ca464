/**
 * Hostile input against a real server process: 10,000 generated requests — malformed JSON, binary
 * bodies, wrong types in otherwise valid records, oversized bodies, odd methods, paths, headers and
 * query strings, bad tokens — plus raw garbage on the socket. The server must answer every one with a
 * 4xx (never a 5xx), stay up, and keep its memory flat (RSS is reported before and after).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, type ServerProcess, startServerProcess } from './serverHarness';
import { seededRandom as prng } from '../fixtures/secrets/fakeSecrets';

const TOTAL = 10_000;
const CONCURRENCY = 16;

interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  kind: string;
  /** Sends a Content-Length that is not the body's. */
  lies?: boolean;
}

const PATHS = ['/api/v1/records', '/api/v1/sessions', '/api/v1/search', '/api/v1/stats', '/api/v1/stats/timeline', '/api/v1/uploads/head', '/api/v1/users', '/api/v1/tokens', '/api/v1/tokens/99999', '/api/v1/records/ed_x', '/metrics', '/healthz', '/', '/login', '/records/x', '/sessions/x', '/search', '/repos', '/api/v1/openapi.json'];
const JUNK_PATHS = ['/%', '/%E0%A4%A', '/api/v1/records/%ZZ', '/../../etc/passwd', '/api/v1/' + 'a'.repeat(5000), '/api//v1/records', '/%C3%A9t%C3%A9', '/api/v1/records/%00', '/api/v1/tokens/999999999999999999999', '/?' + '&x=1'.repeat(500)];
const QUERIES = ['limit=-1', 'limit=1e400', 'limit=abc', 'cursor=' + Buffer.from('["x",1e309]').toString('base64url'), 'cursor=%%%', 'since=garbage', 'until=2026-13-45T99:99:99Z', 'line=-5&path=a', 'line=1.5&path=a', 'q=', 'q=' + '"'.repeat(300), 'q=NEAR(a%20b', 'q=*', 'source=../..', 'repo=' + 'r'.repeat(300), 'tool=%00', 'kind=other', 'path=' + 'p/'.repeat(3000), 'x=1&x=2'];
const TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/JSON'];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const junk = [null, 0, -1, 1e308, 'x', '', true, [], {}, 'a'.repeat(5000), [1, 2, 3], { $ref: '#' }, Number.MAX_SAFE_INTEGER + 2, '\u0000', '\ud800'];
  if (depth > 6 || value === null || typeof value !== 'object') return random() < 0.5 ? junk[Math.floor(random() * junk.length)] : value;
  if (Array.isArray(value)) return value.map((v) => (random() < 0.2 ? mutate(v, random, depth + 1) : v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = random();
    if (r < 0.05) continue; // drop a field
    out[r < 0.08 ? `${k}_` : k] = r < 0.3 ? mutate(v, random, depth + 1) : v;
  }
  if (random() < 0.1) out.__proto__extra = junk[Math.floor(random() * junk.length)];
  return out;
}

function generate(n: number, token: string, random: () => number, validBatch: unknown): HostileRequest[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const out: HostileRequest[] = [];
  for (let i = 0; i < n; i++) {
    const r = random();
    const auth = random() < 0.8 ? `Bearer ${token}` : pick(['', 'Bearer', 'Bearer llt_x', `Bearer ${token}x`, 'Basic Zm9vOmJhcg==', `bearer  ${token}`, 'Bearer ' + 'a'.repeat(3000)]);
    const headers: Record<string, string> = auth ? { authorization: auth } : {};
    let kind: string;
    let method = 'POST';
    let path = pick(['/api/v1/records', '/api/v1/sessions']);
    let body: Buffer | undefined;
    if (r < 0.25) {
      kind = 'mutated-record';
      body = Buffer.from(JSON.stringify(mutate(validBatch, random)));
    } else if (r < 0.35) {
      kind = 'malformed-json';
      const good = JSON.stringify(validBatch);
      const cut = Math.floor(random() * good.length);
      body = Buffer.from(random() < 0.5 ? good.slice(0, cut) : good.slice(0, cut) + pick(['}', ']]]', ',,', '\u0000', 'NaN', '\\u12']) + good.slice(cut));
    } else if (r < 0.42) {
      kind = 'binary';
      body = Buffer.alloc(Math.floor(random() * 4096));
      for (let j = 0; j < body.length; j++) body[j] = Math.floor(random() * 256);
    } else if (r < 0.47) {
      kind = 'wrong-shape';
      body = Buffer.from(JSON.stringify(pick([[], 'x', 42, null, { source: 1, entries: 'no' }, { source: 'ok', entries: Array(2_000).fill({}) }, { entries: [[[[[[]]]]]] }, '['.repeat(50_000)])));
    } else if (r < 0.49) {
      kind = 'deep-nesting';
      const d = Math.floor(random() * 100_000);
      body = Buffer.from('['.repeat(d) + ']'.repeat(d));
    } else if (r < 0.5) {
      kind = 'oversized';
      body = Buffer.alloc(1_200_000 + Math.floor(random() * 500_000), 0x20);
    } else if (r < 0.75) {
      kind = 'query';
      method = pick(['GET', 'GET', 'GET', 'HEAD', 'DELETE']);
      path = `${pick(PATHS)}?${pick(QUERIES)}${random() < 0.3 ? `&${pick(QUERIES)}` : ''}`;
    } else if (r < 0.85) {
      kind = 'odd-method';
      method = pick(['PUT', 'PATCH', 'OPTIONS', 'DELETE', 'POST', 'PROPFIND', 'GET']);
      path = pick(PATHS);
      if (random() < 0.5) body = Buffer.from('{"a":1}');
    } else if (r < 0.93) {
      kind = 'junk-path';
      method = pick(['GET', 'POST']);
      path = pick(JUNK_PATHS);
    } else {
      kind = 'admin-and-login';
      path = pick(['/api/v1/users', '/api/v1/tokens', '/login', '/logout']);
      body = Buffer.from(pick(['{"name":"' + 'x'.repeat(500) + '"}', '{"name":"ok","role":"root"}', '{"user":"nobody"}', 'token=' + 'z'.repeat(9000), 'token=%%%', '{"name":["a"]}']));
    }
    if (body !== undefined) headers['content-type'] = random() < 0.85 ? 'application/json' : pick(TYPES);
    let lies = false;
    if (random() < 0.05) {
      headers['content-length'] = String(pick([0, 1, 99_999_999_999]));
      lies = true;
    } else if (body !== undefined) headers['content-length'] = String(body.length); // also for GET/DELETE, which Node would not frame
    out.push({ method, path, headers, body, kind, lies });
  }
  return out;
}

function send(agent: http.Agent, base: URL, req: HostileRequest): Promise<number | string> {
  return new Promise((resolve) => {
    // A request that lies about its length desynchronises its connection: give it one of its own, so it
    // cannot break the next request on a shared keep-alive socket.
    const r = http.request({ agent: req.lies ? false : agent, host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e) => resolve(`response error ${e.message}`));
    });
    r.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    r.on('timeout', () => r.destroy(new Error('timeout')));
    if (req.body) r.end(req.body);
    else r.end();
  });
}

async function rss(url: string, token: string): Promise<number> {
  const text = (await api(url, token, '/metrics')).text;
  return Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)![1]);
}

for (const backend of backendsUnderTest())
describe(`hostile input: 10,000 generated bad requests against a real server process on ${backend.name}`, function () {
  this.timeout(300_000);
  let storage: TestStorage;
  let data: string;
  let server: ServerProcess;
  before(async () => {
    storage = await backend.create('ll-server-hostile-');
    data = storage.data;
    server = await startServerProcess(data, ['--max-body-mb', '1', '--rate-limit', '1000000', ...storage.args]);
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await storage?.drop();
  });

  it('answers every one with a 4xx (never a 5xx), stays up, and keeps its memory flat', async () => {
    // An admin of its own, so revoking tokens and adding users are exercised too (the first admin's
    // token, used to read /metrics, is out of its reach: its id is never generated).
    const token = /(llt_\S+)/.exec(execFileSync(process.execPath, [CLI, 'server', 'user', 'add', 'mallory', '--admin', '--data', data, ...storage.args], { encoding: 'utf8' }))![1]!;
    const admin = server.token!;
    const random = prng(2026);
    const validBatch = { source: 'hostile', entries: chainEntries(new EventGenerator(3).batch(3)).entries };
    const base = new URL(server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const run = async (requests: HostileRequest[]) => {
      const statuses = new Map<string, number>();
      const fiveHundreds: string[] = [];
      const errors: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const req = requests[next++]!;
            const status = await send(agent, base, req);
            const key = `${req.kind}:${status}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (typeof status === 'number' && status >= 500) fiveHundreds.push(`${req.method} ${req.path.slice(0, 80)} -> ${status}`);
            // A body refused before it was read may reset the connection while the client still writes it.
            if (typeof status === 'string' && !(req.kind === 'oversized' || req.lies)) errors.push(`${req.kind} ${req.method} ${req.path.slice(0, 80)}: ${status}`);
          }
        }),
      );
      return { statuses, fiveHundreds, errors };
    };
    await run(generate(500, token, prng(1), validBatch)); // warm-up: JIT, caches, SQLite pages
    const rssBefore = await rss(server.url, admin);
    const started = Date.now();
    const firstHalf = await run(generate(TOTAL / 2, token, random, validBatch));
    const rssMiddle = await rss(server.url, admin);
    const secondHalf = await run(generate(TOTAL / 2, token, random, validBatch));
    const result = {
      statuses: new Map([...firstHalf.statuses].map(([k, v]) => [k, v + (secondHalf.statuses.get(k) ?? 0)] as [string, number])),
      fiveHundreds: [...firstHalf.fiveHundreds, ...secondHalf.fiveHundreds],
      errors: [...firstHalf.errors, ...secondHalf.errors],
    };
    for (const [k, v] of secondHalf.statuses) if (!firstHalf.statuses.has(k)) result.statuses.set(k, v);
    // Raw garbage on the socket: not even HTTP.
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(base.port), base.hostname, () => s.end(i % 2 ? 'GARBAGE \u0000\u0001\r\n\r\n' : `POST /api/v1/records HTTP/1.1\r\nContent-Length: -5\r\n\r\n`));
        s.on('data', () => undefined);
        s.on('close', () => resolve());
        s.on('error', () => resolve());
      });
    }
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;
    const rssAfter = await rss(server.url, admin);
    const health = await api(server.url, null, '/healthz');
    const summary = [...result.statuses].sort().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`      statuses: ${summary}`);
    console.log(`      ${TOTAL} requests in ${seconds.toFixed(1)} s`);
    const mib = (b: number) => (b / 1048576).toFixed(1);
    console.log(`      server RSS: ${mib(rssBefore)} MiB before, ${mib(rssMiddle)} MiB after ${TOTAL / 2}, ${mib(rssAfter)} MiB after ${TOTAL} requests (second half: ${((rssAfter - rssMiddle) / 1048576).toFixed(1)} MiB change)`);
    assert.deepEqual(result.fiveHundreds, [], 'no 5xx');
    assert.deepEqual(result.errors, [], 'no failed connection except for bodies refused unread');
    assert.equal(health.status, 200);
    assert.equal(server.child.exitCode, null, 'the server is still running');
    const answered = [...result.statuses].filter(([k]) => /:\d+$/.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.ok(answered >= TOTAL * 0.99, `${answered} of ${TOTAL} answered with an HTTP status`);
    assert.ok(!/internal error/.test(server.output()), server.output().slice(-2000));
  });
});

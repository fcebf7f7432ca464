/** The embeddings client against a real local HTTP endpoint: batching, retries, timeouts, validation. */
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddingClient, EmbeddingError } from '../../src/server/search/embeddingClient';
import { startEmbeddingServer, stubEmbedding, type EmbeddingServer } from './searchHarness';

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** An endpoint answering whatever `reply` says, for malformed answers. */
async function rawServer(reply: (n: number) => { status: number; body: string; headers?: Record<string, string> }): Promise<{ url: string; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const r = reply(n++);
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/embeddings`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('search: embeddings client (real HTTP on 127.0.0.1)', () => {
  let ep: EmbeddingServer;
  beforeEach(async () => {
    ep = await startEmbeddingServer({ dims: 32, apiKey: 'k-123' });
  });
  afterEach(() => ep.close());

  it('sends batches of batchSize, keeps the order, detects the dimension and sends the key', async () => {
    const client = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'k-123', batchSize: 4 });
    assert.equal(client.dimension, null);
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
    const vectors = await client.embed(texts);
    assert.deepEqual(ep.batches, [4, 4, 2]);
    assert.equal(client.dimension, 32);
    vectors.forEach((v, i) => assert.deepEqual(v, stubEmbedding(texts[i]!, 32)));
  });

  it('the stub model puts related texts nearer than unrelated ones', () => {
    const login = stubEmbedding('add a login handler that checks the password', 64);
    const signIn = stubEmbedding('let people sign in', 64);
    const csv = stubEmbedding('export rows as a csv file', 64);
    assert.ok(cosine(login, signIn) > cosine(login, csv));
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    ep.failNext(2, 503);
    const client = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'k-123', backoffMs: 10, attempts: 3 });
    const [v] = await client.embed(['hello']);
    assert.equal(v!.length, 32);
    assert.equal(ep.requests, 3);
    assert.equal(client.stats.retries, 2);
    ep.failNext(1, 429);
    await client.embed(['again']);
    assert.equal(client.stats.retries, 3);
  });

  it('gives up after its attempts with a transient error, and fails at once on a 4xx', async () => {
    ep.failNext(5, 503);
    const client = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'k-123', backoffMs: 1, attempts: 3 });
    await assert.rejects(client.embed(['x']), (e: unknown) => e instanceof EmbeddingError && e.transient && /answered 503/.test(e.message));
    assert.equal(ep.requests, 3);
    const wrongKey = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'nope', backoffMs: 1, attempts: 3 });
    const before = ep.requests;
    await assert.rejects(wrongKey.embed(['x']), (e: unknown) => e instanceof EmbeddingError && !e.transient && /answered 401/.test(e.message));
    assert.equal(ep.requests, before + 1);
  });

  it('times out a slow endpoint and says so; an unreachable one is a transient error without the key in the message', async () => {
    ep.delayMs = 500;
    const client = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'k-123', timeoutMs: 100, attempts: 1 });
    await assert.rejects(client.embed(['x']), /no answer within 100 ms/);
    await ep.close();
    const down = new EmbeddingClient({ url: ep.url, model: 'stub', apiKey: 'secret-key', attempts: 2, backoffMs: 1 });
    await assert.rejects(down.embed(['x']), (e: unknown) => e instanceof EmbeddingError && e.transient && /unreachable: ECONNREFUSED/.test(e.message) && !e.message.includes('secret-key'));
    assert.throws(() => new EmbeddingClient({ url: ep.url.replace('http://', 'http://user:pw@'), model: 'stub' }), /credentials in apiKey/);
  });

  it('refuses answers of the wrong shape, count, index or dimension', async () => {
    const bodies = [
      'not json',
      JSON.stringify({ data: [{ embedding: ['a'] }] }),
      JSON.stringify({ data: [{ embedding: [1, 2] }, { embedding: [1, 2] }] }),
      JSON.stringify({ data: [{ index: 3, embedding: [1, 2] }] }),
      JSON.stringify({ data: [{ embedding: [1, 2] }] }),
      JSON.stringify({ data: [{ embedding: [1, 2, 3] }] }),
    ];
    const srv = await rawServer((n) => ({ status: 200, body: bodies[n]! }));
    try {
      const client = new EmbeddingClient({ url: srv.url, model: 'stub', attempts: 3, backoffMs: 1 });
      await assert.rejects(client.embed(['a']), /not JSON/);
      await assert.rejects(client.embed(['a']), /unexpected shape \(data\.0\.embedding\.0/);
      await assert.rejects(client.embed(['a']), /2 vectors for 1 texts/);
      await assert.rejects(client.embed(['a']), /bad or repeated index 3/);
      assert.deepEqual(await client.embed(['a']), [[1, 2]]);
      await assert.rejects(client.embed(['a']), /answered 3 dimensions where it answered 2 before/);
    } finally {
      await srv.close();
    }
  });

  it('honours Retry-After and validates its configuration', async () => {
    const srv = await rawServer((n) => (n === 0 ? { status: 429, body: '{}', headers: { 'retry-after': '0' } } : { status: 200, body: JSON.stringify({ data: [{ embedding: [0.6, 0.8] }] }) }));
    try {
      const client = new EmbeddingClient({ url: srv.url, model: 'stub', backoffMs: 60_000, maxBackoffMs: 60_000 });
      assert.deepEqual(await client.embed(['a']), [[0.6, 0.8]]); // Retry-After: 0 instead of a minute's backoff
    } finally {
      await srv.close();
    }
    assert.throws(() => new EmbeddingClient({ url: 'ftp://x/v1/embeddings', model: 'm' }));
    assert.throws(() => new EmbeddingClient({ url: 'http://127.0.0.1/v1/embeddings', model: '' }));
  });
});

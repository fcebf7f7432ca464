/**
 * For the search tests and bench: a throwaway PostgreSQL database (random name, dropped after), the
 * records tables as the PostgreSQL backend lays them out (org, month partitions, record_ids), an ingest
 * that fills the search columns the way the backend's ingest does, and a local OpenAI-compatible
 * embeddings endpoint on 127.0.0.1 with deterministic vectors.
 *
 * PostgreSQL: `$LINEAGELENS_TEST_PG_URL` (a superuser URL, any database), else the local cluster
 * through a `lineagelens_search_test` superuser that this helper creates with `runuser -u postgres psql` once.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { Content, EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { toRow } from '../../src/server/db/recordRow';
import { ensureSearchSchema, VOCAB_INSERT_SQL } from '../../src/server/pg/searchSchema';
import { searchDocument, searchVectorSql, type SearchSource } from '../../src/server/search/searchDocument';
import type { TextRecord } from '../../src/server/pg/recordTextSource';
import type { SearchMode, SearchService } from '../../src/server/search/searchService';
import { readFixture } from './helpers';

const TEST_ROLE = 'lineagelens_search_test';

function adminUrl(): string {
  const env = process.env.LINEAGELENS_TEST_PG_URL?.trim();
  if (env) return env;
  const sql = `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${TEST_ROLE}') THEN CREATE ROLE ${TEST_ROLE} LOGIN SUPERUSER PASSWORD '${TEST_ROLE}'; END IF; END $$;`;
  execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' });
  return `postgresql://${TEST_ROLE}:${TEST_ROLE}@127.0.0.1:5432/postgres`;
}

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'll_search'): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const adminPool = new Pool({ connectionString: admin, max: 1 });
  await adminPool.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 6 });
  pool.on('error', () => undefined); // an idle connection ended by the server (the final DROP ... FORCE)
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await adminPool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminPool.end();
    },
  };
}

/** The records tables of the PostgreSQL backend (postgres/migrations.ts, version 1), and the search schema. */
export async function createRecordsSchema(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE SEQUENCE records_rid_seq AS bigint;
    CREATE TABLE record_ids (org_id integer NOT NULL DEFAULT 1, id text NOT NULL, time timestamptz NOT NULL,
      rid bigint NOT NULL DEFAULT nextval('records_rid_seq'), PRIMARY KEY (org_id, id));
    CREATE TABLE records (org_id integer NOT NULL DEFAULT 1, time timestamptz NOT NULL, rid bigint NOT NULL, id text NOT NULL,
      kind text NOT NULL, repo_id text, path text, session_id text, tool text NOT NULL, model text NOT NULL, author text,
      line_start integer, line_end integer, lines integer NOT NULL, disposition text, uploader_id integer NOT NULL,
      json text NOT NULL, search tsvector NOT NULL, PRIMARY KEY (org_id, time, rid)) PARTITION BY RANGE (time);
    CREATE TABLE records_default PARTITION OF records DEFAULT;
    CREATE INDEX records_search ON records USING gin (search);
  `);
  await ensureSearchSchema(pool);
}

/**
 * Stores records as the backend's ingest does, with the search columns filled by searchDocument and
 * searchVectorSql; returns them as the embedding queue's input.
 */
export async function insertRecords(pool: Pool, records: ProvenanceRecord[], orgId = 1): Promise<TextRecord[]> {
  const out: TextRecord[] = [];
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const rows = chunk.map((r) => ({ r, row: toRow(r) }));
    const docs = rows.map(({ row }) => searchDocument(row));
    const col = <T>(f: (x: { r: ProvenanceRecord; row: ReturnType<typeof toRow> }, j: number) => T) => rows.map(f);
    await pool.query(
      `WITH ids AS (
         INSERT INTO record_ids (org_id, id, time) SELECT $1, id, time FROM unnest($2::text[], $3::timestamptz[]) AS t(id, time) RETURNING id, time, rid)
       INSERT INTO records (org_id, time, rid, id, kind, repo_id, path, session_id, tool, model, lines, uploader_id, json, search)
       SELECT $1, ids.time, ids.rid, t.id, t.kind, t.repo_id, t.path, t.session_id, t.tool, t.model, t.lines, 1, t.json,
         ${searchVectorSql('t.spath', 't.sprompt', 't.scode')}
       FROM unnest($2::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS t(id, kind, repo_id, path, session_id, tool, model, lines, json, spath, sprompt, scode)
       JOIN ids ON ids.id = t.id`,
      [
        orgId,
        col(({ row }) => row.id),
        col(({ row }) => row.time),
        col(({ row }) => row.kind),
        col(({ row }) => row.repoId),
        col(({ row }) => row.path),
        col(({ row }) => row.sessionId),
        col(({ row }) => row.tool),
        col(({ row }) => row.model),
        col(({ row }) => row.lines),
        col(({ r }) => JSON.stringify(r)),
        docs.map((d) => d.path),
        docs.map((d) => d.prompt),
        docs.map((d) => d.code),
      ],
    );
    await pool.query(VOCAB_INSERT_SQL, [docs.flatMap((d) => d.words.split(' '))]);
    for (const { row } of rows) out.push({ orgId, id: row.id, repoId: row.repoId, source: { path: row.path, prompt: row.prompt, code: row.code } });
  }
  return out;
}

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const content = (text: string): Content => ({ form: 'text', text, sha256: sha(text) });

export interface FixtureRecord {
  id: string;
  path: string;
  prompt: string;
  code: string;
}

/** A fixture (id, path, prompt, code) as a full edit record. */
export function fixtureRecord(f: FixtureRecord, n: number, repoId = 'repo-fixture'): EditEvent {
  const lines = f.code.split('\n');
  return {
    schema: 'lineagelens.provenance/1',
    kind: 'edit',
    id: f.id,
    time: new Date(Date.parse('2026-01-05T10:00:00Z') + n * 60_000).toISOString(),
    tool: { name: 'claude-code', version: '1.0.0' },
    model: { id: 'claude-sonnet-4-5', provider: 'anthropic' },
    prompt: { content: content(f.prompt), source: 'hook', turnId: `turn-${n}` },
    sessionId: `ses-fixture-${Math.floor(n / 5)}`,
    file: { path: f.path, repo: { id: repoId, remote: 'github.com/acme/app' }, branch: 'main', commit: sha(f.id).slice(0, 40) },
    rangeBefore: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    rangeAfter: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } },
    insertedText: content(f.code),
    deletedText: { form: 'none' },
    contentHash: sha(f.code),
    disposition: 'accepted',
    acceptor: { gitName: 'Dana Smith', gitEmail: 'dana@example.com', osUser: 'dana' },
    capture: { method: 'hook', confidence: 1 },
    review: { status: 'unreviewed' },
  };
}

export const sourceOf = (f: FixtureRecord): SearchSource => ({ path: f.path, prompt: f.prompt, code: f.code });

// ---------------------------------------------------------------- the local embeddings endpoint

/**
 * Concept groups the stand-in model "knows" (a trained model learns such neighbourhoods from text): a
 * word of a group also adds the group's feature, so "sign in" lands near "login".
 */
const CONCEPTS: string[][] = [
  ['login', 'signin', 'sign', 'authenticate', 'authentication', 'auth', 'oauth', 'password', 'credential', 'credentials', 'session', 'token', 'bearer', 'unauthorized', 'logout', 'signout'],
  ['retry', 'again', 'backoff', 'attempt', 'attempts', 'fail', 'fails', 'failure', 'failed', 'reconnect'],
  ['export', 'csv', 'spreadsheet', 'excel', 'report'],
  ['cache', 'memoize', 'remember', 'lru', 'evict', 'evicts'],
  ['limit', 'throttle', 'quota', 'bucket', 'many', 'abusive', '429'],
  ['hash', 'scrypt', 'salt', 'bcrypt', 'securely', 'secure', 'passwords'],
  ['request', 'requests', 'http', 'fetch', 'call'],
  ['image', 'images', 'picture', 'pictures', 'thumbnail', 'thumbnails', 'resize', 'photo'],
  ['money', 'price', 'prices', 'currency', 'euro', 'euros', 'cents'],
  ['config', 'configuration', 'settings', 'environment', 'env'],
];
const CONCEPT_OF = new Map<string, number>();
CONCEPTS.forEach((words, i) => words.forEach((w) => CONCEPT_OF.set(w, i)));

function featureIndex(feature: string, dims: number): [number, number] {
  const h = createHash('sha256').update(feature).digest();
  return [h.readUInt32LE(0) % dims, h[4]! & 1 ? 1 : -1];
}

/** Deterministic, normalised: hashed words (identifier parts, crude stems), concepts and character trigrams. */
export function stubEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  const add = (feature: string, weight: number) => {
    const [i, sign] = featureIndex(feature, dims);
    v[i]! += sign * weight;
  };
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).flatMap((w) => w.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2').split(' ')).map((w) => w.toLowerCase());
  for (const w of words) {
    const stem = w.length > 4 ? w.replace(/(ing|ed|es|s)$/u, '') : w;
    add(`w:${stem}`, 1);
    const c = CONCEPT_OF.get(w) ?? CONCEPT_OF.get(stem);
    if (c !== undefined) add(`c:${c}`, 2.5);
    const padded = ` ${stem} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.25);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export interface EmbeddingServer {
  url: string;
  /** Requests answered (any status) and the batch sizes of the successful ones. */
  requests: number;
  batches: number[];
  /** Answer the next n requests with this status (e.g. 503). */
  failNext(n: number, status?: number): void;
  /** Hold every answer this long. */
  delayMs: number;
  /** What model name answers must carry; others get 404 as real servers do. */
  dims: number;
  close(): Promise<void>;
}

export async function startEmbeddingServer(opts: { dims: number; models?: string[]; apiKey?: string }): Promise<EmbeddingServer> {
  let failing = 0;
  let failStatus = 503;
  const state: EmbeddingServer = {
    url: '',
    requests: 0,
    batches: [],
    delayMs: 0,
    dims: opts.dims,
    failNext(n, status = 503) {
      failing = n;
      failStatus = status;
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const answer = (status: number, body: unknown) => {
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        }, state.delayMs);
      };
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') return answer(404, { error: 'not found' });
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return answer(401, { error: 'bad key' });
      if (failing > 0) {
        failing--;
        return answer(failStatus, { error: 'injected failure' });
      }
      let body: { model?: string; input?: string[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return answer(400, { error: 'bad json' });
      }
      if (!Array.isArray(body.input) || typeof body.model !== 'string') return answer(400, { error: 'need model and input[]' });
      if (opts.models && !opts.models.includes(body.model)) return answer(404, { error: `model ${body.model} not found` });
      state.batches.push(body.input.length);
      answer(200, { object: 'list', model: body.model, data: body.input.map((t, index) => ({ object: 'embedding', index, embedding: stubEmbedding(`${body.model}:${t}`.slice(body.model!.length + 1), state.dims) })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/embeddings`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

// ---------------------------------------------------------------- the relevance test set

export const FIXTURES = readFixture('search/records.json') as FixtureRecord[];
export const QUERIES = readFixture('search/queries.json') as { q: string; relevant: string[]; kind: string }[];

export interface RelevanceFigures {
  recallAt10: number;
  mrr: number;
}

/** recall@10 (share of relevant records in the top 10, averaged) and MRR (1 / rank of the first relevant). */
export async function relevance(service: SearchService, mode: SearchMode, orgId = 1): Promise<RelevanceFigures & { ran: Set<SearchMode> }> {
  let recall = 0;
  let rr = 0;
  const ran = new Set<SearchMode>();
  for (const { q, relevant } of QUERIES) {
    const result = await service.search({ orgId, text: q, mode, limit: 10 });
    ran.add(result.mode);
    const ids = result.hits.map((h) => h.id);
    recall += relevant.filter((id) => ids.includes(id)).length / relevant.length;
    const first = ids.findIndex((id) => relevant.includes(id));
    rr += first < 0 ? 0 : 1 / (first + 1);
  }
  return { recallAt10: recall / QUERIES.length, mrr: rr / QUERIES.length, ran };
}

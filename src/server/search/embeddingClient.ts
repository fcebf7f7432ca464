/**
 * Client of an admin-configured OpenAI-compatible embeddings endpoint (`POST <url>` with
 * `{model, input: string[]}`, answering `{data: [{index, embedding}]}`): self-hosted Ollama, llama.cpp
 * server, text-embeddings-inference, or a cloud provider.
 *
 * Texts are sent in batches; a batch that fails with a network error, a timeout, 408, 429 or a 5xx is
 * retried with exponential backoff and jitter (a Retry-After header is honoured up to the cap); any other
 * answer, or one that does not match the schema, fails at once with a clear message. The dimension is
 * taken from the first answer and every later vector must have it.
 */
import { z } from 'zod';

export interface EmbeddingConfig {
  /** Full URL of the embeddings endpoint, e.g. http://127.0.0.1:11434/v1/embeddings. */
  url: string;
  model: string;
  apiKey?: string;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Attempts per batch, the first included. Default 4. */
  attempts?: number;
  /** First backoff; doubles per attempt up to maxBackoffMs. Default 500 ms / 10 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export const EmbeddingConfigSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .refine((u) => !new URL(u).username && !new URL(u).password, { message: 'put credentials in apiKey, not in the URL' }),
    model: z.string().min(1).max(200),
    apiKey: z.string().min(1).max(4000).optional(),
    batchSize: z.number().int().min(1).max(2048).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    attempts: z.number().int().min(1).max(20).optional(),
    backoffMs: z.number().int().min(0).max(60_000).optional(),
    maxBackoffMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

const MAX_DIMS = 16_000; // pgvector's vector type limit

const EmbeddingResponse = z.object({
  data: z
    .array(
      z.object({
        index: z.number().int().nonnegative().optional(),
        embedding: z.array(z.number().finite()).min(1).max(MAX_DIMS),
      }),
    )
    .min(1),
  model: z.string().optional(),
});

export class EmbeddingError extends Error {
  constructor(
    message: string,
    /** True when retrying later may help (the endpoint was down or overloaded). */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

export interface EmbedStats {
  requests: number;
  retries: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class EmbeddingClient {
  readonly model: string;
  private dims: number | null = null;
  readonly stats: EmbedStats = { requests: 0, retries: 0 };
  private readonly cfg: Required<Omit<EmbeddingConfig, 'apiKey'>> & { apiKey?: string };

  constructor(config: EmbeddingConfig) {
    const c = EmbeddingConfigSchema.parse(config);
    this.model = c.model;
    this.cfg = { batchSize: 64, timeoutMs: 30_000, attempts: 4, backoffMs: 500, maxBackoffMs: 10_000, ...c };
  }

  /** Known after the first successful answer. */
  get dimension(): number | null {
    return this.dims;
  }

  /** Where requests go, without credentials (for messages and logs). */
  get endpoint(): string {
    const u = new URL(this.cfg.url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  }

  /** One vector per text, in order. */
  async embed(texts: readonly string[], opts: { timeoutMs?: number; attempts?: number } = {}): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.cfg.batchSize) {
      out.push(...(await this.embedBatch(texts.slice(i, i + this.cfg.batchSize), opts)));
    }
    return out;
  }

  private async embedBatch(texts: string[], opts: { timeoutMs?: number; attempts?: number }): Promise<number[][]> {
    const attempts = opts.attempts ?? this.cfg.attempts;
    let last: EmbeddingError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) this.stats.retries++;
      try {
        return await this.request(texts, opts.timeoutMs ?? this.cfg.timeoutMs);
      } catch (err) {
        last = err instanceof EmbeddingError ? err : new EmbeddingError(String(err), true);
        if (!last.transient || attempt === attempts) break;
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs;
        const backoff = Math.min(this.cfg.maxBackoffMs, this.cfg.backoffMs * 2 ** (attempt - 1));
        await sleep(retryAfter !== undefined ? Math.min(retryAfter, this.cfg.maxBackoffMs) : backoff / 2 + Math.random() * (backoff / 2));
      }
    }
    throw last!;
  }

  private async request(texts: string[], timeoutMs: number): Promise<number[][]> {
    this.stats.requests++;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.cfg.apiKey) headers.authorization = `Bearer ${this.cfg.apiKey}`;
    let res: Response;
    let body: string;
    try {
      res = await fetch(this.cfg.url, { method: 'POST', headers, body: JSON.stringify({ model: this.model, input: texts }), signal: AbortSignal.timeout(timeoutMs) });
      body = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new EmbeddingError(`embeddings endpoint ${this.endpoint} unreachable: ${why}`, true);
    }
    if (!res.ok) {
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      const err = new EmbeddingError(`embeddings endpoint ${this.endpoint} answered ${res.status}${transient ? '' : `: ${body.slice(0, 200)}`}`, transient);
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra >= 0) Object.assign(err, { retryAfterMs: ra * 1000 });
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new EmbeddingError(`embeddings endpoint ${this.endpoint} answered something that is not JSON`, false);
    }
    const parsed = EmbeddingResponse.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new EmbeddingError(`embeddings endpoint ${this.endpoint} answered an unexpected shape (${issue.path.join('.') || 'body'}: ${issue.message})`, false);
    }
    const data = parsed.data.data;
    if (data.length !== texts.length) throw new EmbeddingError(`embeddings endpoint ${this.endpoint} answered ${data.length} vectors for ${texts.length} texts`, false);
    const vectors = new Array<number[]>(texts.length);
    data.forEach((d, i) => {
      const at = d.index ?? i;
      if (at >= texts.length || vectors[at]) throw new EmbeddingError(`embeddings endpoint ${this.endpoint} answered a bad or repeated index ${at}`, false);
      vectors[at] = d.embedding;
    });
    const dims = vectors[0]!.length;
    if (this.dims === null) this.dims = dims;
    for (const v of vectors) {
      if (v.length !== this.dims) throw new EmbeddingError(`model ${this.model} answered ${v.length} dimensions where it answered ${this.dims} before`, false);
    }
    return vectors;
  }
}

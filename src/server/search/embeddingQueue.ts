/**
 * The background embedding queue. Ingest hands it the records it just stored (`enqueue`, synchronous,
 * memory only) and returns; the queue embeds them in batches afterwards and stores the vectors. Ingest
 * never waits on the embeddings endpoint, and an endpoint that is down only delays semantic search.
 *
 * What is pending lives in memory, so a backfill pass over the stored records (in pages, skipping the
 * ones whose vector is current: same model, same text hash) repairs everything memory cannot: a restart,
 * a queue overflow, a model change. Failed batches are retried with growing pauses; a batch the
 * endpoint refuses for good (e.g. a malformed answer) is dropped and counted, never retried forever.
 */
import { createHash } from 'node:crypto';
import { wakeableSleep } from '../../core/util/wakeableSleep';
import type { SemanticIndex } from '../pg/semanticIndex';
import type { RecordTextSource, TextRecord } from '../pg/recordTextSource';
import { EmbeddingError, type EmbeddingClient } from './embeddingClient';
import { embeddingText } from './searchDocument';

export interface EmbeddingQueueOptions {
  client: EmbeddingClient;
  index: SemanticIndex;
  source: RecordTextSource;
  /** Records per embedding round trip. Default 64. */
  batchSize?: number;
  /** Records held in memory; past this new ones are left to the backfill. Default 50,000. */
  maxPending?: number;
  /** Pause after a transient failure, doubling up to maxRetryPauseMs. Default 1 s / 60 s. */
  retryPauseMs?: number;
  maxRetryPauseMs?: number;
  /** Told of failures (never of record text). */
  log?: (message: string) => void;
}

export interface QueueStatus {
  pending: number;
  embedded: number;
  skipped: number;
  failed: number;
  backfilling: boolean;
  lastError: string | null;
}

interface Item extends TextRecord {
  text: string;
  hash: string;
}


export class EmbeddingQueue {
  private pending: Item[] = [];
  private backfillWanted = false;
  private running: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly s: QueueStatus = { pending: 0, embedded: 0, skipped: 0, failed: 0, backfilling: false, lastError: null };
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(private readonly o: EmbeddingQueueOptions) {
    this.batchSize = o.batchSize ?? 64;
    this.maxPending = o.maxPending ?? 50_000;
  }

  get model(): string {
    return this.o.client.model;
  }

  /**
   * Checks the stored vectors' model and starts a backfill pass: records stored while no server ran,
   * or embedded by another model, get (re-)embedded.
   */
  start(): void {
    this.backfillWanted = true;
    this.kick();
  }

  /** For the ingest path: returns at once. */
  enqueue(records: readonly TextRecord[]): void {
    if (this.closed) return;
    for (const r of records) {
      if (this.pending.length >= this.maxPending) {
        this.backfillWanted = true; // the backfill will find what did not fit
        break;
      }
      const text = embeddingText(r.source);
      if (text.length === 0) continue; // nothing to embed (e.g. a hash-only record)
      this.pending.push({ ...r, text, hash: createHash('sha256').update(text).digest('hex') });
    }
    this.kick();
  }

  status(): QueueStatus {
    return { ...this.s, pending: this.pending.length };
  }

  /** Resolves when nothing is pending and no backfill runs (tests, benches, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    this.backfillWanted = false;
    this.wake?.();
    await this.idle();
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = this.loop()
      .catch((err: unknown) => this.fail(`embedding queue stopped: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
        if (!this.closed && (this.pending.length > 0 || this.backfillWanted)) this.kick();
      });
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      if (this.pending.length > 0) {
        await this.processPending();
      } else if (this.backfillWanted) {
        this.backfillWanted = false;
        await this.backfill();
      } else {
        return;
      }
    }
  }

  private async backfill(): Promise<void> {
    this.s.backfilling = true;
    try {
      let after: { orgId: number; id: string } | null = null;
      for (;;) {
        if (this.closed) return;
        const page = await this.o.source.page(after, this.batchSize * 8);
        if (page.length === 0) return;
        after = { orgId: page[page.length - 1]!.orgId, id: page[page.length - 1]!.id };
        const items: Item[] = [];
        for (const r of page) {
          const text = embeddingText(r.source);
          if (text.length > 0) items.push({ ...r, text, hash: createHash('sha256').update(text).digest('hex') });
        }
        for (let i = 0; i < items.length && !this.closed; i += this.batchSize) await this.process(items.slice(i, i + this.batchSize), () => undefined);
        // Fresh records take turns with a long backfill, so new records do not wait behind it.
        while (this.pending.length > 0 && !this.closed) await this.processPending();
      }
    } finally {
      this.s.backfilling = false;
    }
  }

  /**
   * Embeds the oldest pending records. Only the records taken are removed afterwards: records enqueued
   * while the batch was embedded were appended behind it and stay pending.
   */
  private async processPending(): Promise<void> {
    const batch = this.pending.slice(0, this.batchSize);
    await this.process(batch, () => this.pending.splice(0, batch.length));
  }

  /** Embeds one batch, retrying transient failures; `done` removes it from wherever it came from. */
  private async process(batch: Item[], done: () => void): Promise<void> {
    let pause = this.o.retryPauseMs ?? 1_000;
    for (;;) {
      if (this.closed) return;
      try {
        await this.embedBatch(batch);
        done();
        return;
      } catch (err) {
        const transient = !(err instanceof EmbeddingError) || err.transient;
        this.fail(`embedding ${batch.length} records failed${transient ? `, retrying in ${Math.round(pause / 1000)} s` : ', dropped'}: ${(err as Error).message}`);
        if (!transient) {
          this.s.failed += batch.length;
          done();
          return;
        }
        const sleep = wakeableSleep(pause);
        this.wake = sleep.wake;
        await sleep.done;
        this.wake = null;
        pause = Math.min(this.o.maxRetryPauseMs ?? 60_000, pause * 2);
      }
    }
  }

  private async embedBatch(batch: Item[]): Promise<void> {
    const { client, index } = this.o;
    const known = await index.currentState();
    let todo = batch;
    if (known && known.model === client.model) {
      const stale = await index.stale(client.model, batch.map((b) => ({ orgId: b.orgId, recordId: b.id, contentHash: b.hash })));
      todo = batch.filter((_, i) => stale.has(i));
      this.s.skipped += batch.length - todo.length;
    }
    if (todo.length === 0) return;
    const vectors = await client.embed(todo.map((b) => b.text));
    const { modelChanged } = await index.prepare(client.model, vectors[0]!.length);
    if (modelChanged && known) {
      this.o.log?.(`embedding model changed from ${known.model} (${known.dims} dims) to ${client.model} (${vectors[0]!.length} dims): re-embedding every record`);
      if (!this.s.backfilling) this.backfillWanted = true; // a running pass re-embeds everything already
    }
    await index.upsert(
      client.model,
      todo.map((b, i) => ({ orgId: b.orgId, recordId: b.id, repoId: b.repoId, contentHash: b.hash, vector: vectors[i]! })),
    );
    this.s.embedded += todo.length;
  }

  private fail(message: string): void {
    this.s.lastError = message;
    this.o.log?.(message);
  }
}

/**
 * The lineage indexer behind the ingest routes: an upload is answered once its records are stored, and
 * their nodes and edges are built after, one batch at a time in arrival order (the graph is derived data:
 * a record is stored and verifiable whether or not its edges exist yet). Bounded: when more than
 * `maxPendingRecords` wait, the next upload waits for the backlog, so a sustained load is paced by the
 * indexer instead of growing memory. Every lineage read waits until the queue is empty first, so an
 * answer always includes everything uploaded before the question; closing the server drains it too.
 */
import type { GitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { PrFact } from '../../core/reviews/prEvents';
import type { LineageIndexer } from './lineageIndexer';

export class LineageIndexQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Batches whose indexing failed (logged; the records themselves are stored). */
  failures = 0;

  constructor(
    private readonly indexer: LineageIndexer,
    private readonly maxPendingRecords = 20_000,
    private readonly onError: (err: unknown) => void = (err) => process.stderr.write(`lineagelens server: lineage indexing failed: ${(err as Error)?.stack ?? String(err)}\n`),
  ) {}

  private async enqueue(size: number, work: () => Promise<void>): Promise<void> {
    if (this.pending + size > this.maxPendingRecords && this.pending > 0) await this.idle();
    this.pending += size;
    this.tail = this.tail.then(async () => {
      try {
        await work();
      } catch (err) {
        this.failures++;
        this.onError(err);
      } finally {
        this.pending -= size;
      }
    });
  }

  records(records: readonly ProvenanceRecord[]): Promise<void> {
    return this.enqueue(records.length, () => this.indexer.onRecords(records));
  }

  ledger(records: readonly GitRecord[]): Promise<void> {
    return this.enqueue(records.length, () => this.indexer.onLedger(records));
  }

  /** Facts are read when the work runs, so the newest of a repository's deliveries are used. */
  prFacts(repoId: string, facts: () => Promise<readonly PrFact[]>): Promise<void> {
    return this.enqueue(1, async () => this.indexer.onPrFacts(repoId, await facts()));
  }

  /** Resolves once everything queued so far is indexed (and whatever was queued while waiting). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  get backlog(): number {
    return this.pending;
  }
}

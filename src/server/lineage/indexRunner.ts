/**
 * Builds the lineage graph behind the uploads, from the outbox (lineageOutbox.ts): an upload adds its row
 * and is answered; this runner indexes the rows oldest first and removes each once indexed.
 *
 * Uploads come first: while they arrive (one within `quietMs`), the runner waits, so a burst of uploads
 * is answered at the ingest's own speed instead of sharing the thread with indexing; once the oldest
 * waiting upload is `maxLagMs` old, it indexes anyway, so under a sustained load the graph trails the
 * uploads by about that much rather than without bound. A lineage read (`idle`) makes it index at once
 * and waits for the outbox to empty, so an answer includes everything uploaded before the question.
 * Work is cut into steps of at most `stepRecords` records, each a turn of the event loop, so requests are
 * served between steps. Closing stops after the current step: the rest waits in the outbox for the next start.
 */
import type { GitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { PrFact } from '../../core/reviews/prEvents';
import { raceWithTimeout, wakeableSleep } from '../../core/util/wakeableSleep';
import type { LineageIndexer } from './lineageIndexer';
import type { LineageOutbox, OutboxRow } from './lineageOutbox';

export interface IndexRunnerOptions {
  /** Index only after this long without an upload (default 200 ms)... */
  quietMs?: number;
  /** ...unless the oldest waiting upload is this old (default 30 s). */
  maxLagMs?: number;
  /** Records per indexing step (default 250). */
  stepRecords?: number;
  /** How long a lineage read waits for the outbox to empty before answering with what is indexed (default 60 s). */
  readWaitMs?: number;
  /** A row whose indexing fails this often is dropped (and logged). Default 3. */
  maxAttempts?: number;
  log?: (message: string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const turn = () => new Promise<void>((r) => setImmediate(r));

export class LineageIndexRunner {
  private lastUploadAt = 0;
  /** When the oldest row this process knows of was added (0: none waiting, or left from before a restart). */
  private waitingSince: number | null = null;
  private readers = 0;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  /** Set by every upload; a run ending as a row arrives starts again. */
  private dirty = false;
  /** The last run found another process indexing (PostgreSQL): readers poll instead of spinning. */
  private lockedOut = false;
  private readonly o: Required<Omit<IndexRunnerOptions, 'log'>> & Pick<IndexRunnerOptions, 'log'>;
  /** Rows whose indexing failed (each logged). */
  failures = 0;
  /** Rows indexed since start. */
  indexed = 0;

  constructor(
    private readonly outbox: LineageOutbox,
    private readonly indexer: LineageIndexer,
    private readonly prFactsOf: (repoId: string) => Promise<readonly PrFact[]>,
    options: IndexRunnerOptions = {},
  ) {
    this.o = { quietMs: 200, maxLagMs: 30_000, stepRecords: 250, readWaitMs: 60_000, maxAttempts: 3, ...options };
  }

  /** Indexes what an earlier run left in the outbox. */
  start(): void {
    this.waitingSince = 0;
    this.kick();
  }

  async records(records: readonly ProvenanceRecord[]): Promise<void> {
    if (records.length) await this.added('records', JSON.stringify(records.map((r) => r.id)));
  }

  async ledger(records: readonly GitRecord[]): Promise<void> {
    if (records.length) await this.added('ledger', JSON.stringify(records));
  }

  /** A repository's reviewed-in edges are derived again from all its facts, read when the row is indexed. */
  async prFacts(repoId: string): Promise<void> {
    await this.added('pr', JSON.stringify([repoId]));
  }

  private async added(kind: 'records' | 'ledger' | 'pr', payload: string): Promise<void> {
    await this.outbox.add(kind, payload);
    this.lastUploadAt = Date.now();
    this.waitingSince ??= this.lastUploadAt;
    this.dirty = true;
    this.kick();
  }

  /**
   * For lineage reads: indexes at once until the outbox is empty (rows added meanwhile included), or
   * `readWaitMs` passed. Resolves to the rows still waiting (0: the graph holds every upload so far).
   */
  async idle(): Promise<number> {
    const deadline = Date.now() + this.o.readWaitMs;
    this.readers++;
    try {
      for (;;) {
        const running = this.running;
        if (!running) {
          const left = await this.outbox.pending();
          if (left === 0 || this.closed || Date.now() >= deadline) return left;
          this.kick();
          if (this.running) await this.running;
          if (this.lockedOut) await sleep(50); // another process holds the indexer lock: poll
          continue;
        }
        this.wake?.();
        await raceWithTimeout(running, deadline - Date.now());
        if (Date.now() >= deadline) return this.outbox.pending();
      }
    } finally {
      this.readers--;
    }
  }

  /** Stops after the current step; what is left is indexed at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running || this.closed) {
      this.wake?.();
      return;
    }
    this.running = this.run()
      .catch((err: unknown) => {
        this.failures++;
        this.o.log?.(`lineage indexing stopped: ${(err as Error)?.message ?? String(err)} (the outbox keeps the work; retried on the next upload)`);
      })
      .finally(() => {
        this.running = null;
        if (this.dirty && !this.closed && !this.lockedOut) this.kick();
      });
  }

  private async run(): Promise<void> {
    // The indexer lock is taken only once there is work to do now, so a process waiting for quiet does
    // not keep another one (or its own successor after a crash) from indexing.
    let held = false;
    try {
      for (;;) {
        await this.waitYourTurn();
        if (this.closed) return;
        if (!held) {
          this.lockedOut = !(await this.outbox.acquire());
          if (this.lockedOut) return;
          held = true;
        }
        this.dirty = false;
        const [row] = await this.outbox.oldest(1);
        if (!row) {
          this.waitingSince = null;
          return;
        }
        try {
          await this.index(row);
          if (this.closed && row.kind === 'records') return; // a record row cut short by close: indexed again next start
          await this.outbox.remove(row.seq);
          this.indexed++;
        } catch (err) {
          this.failures++;
          const what = await this.outbox.failed(row.seq, this.o.maxAttempts);
          this.o.log?.(`lineage indexing of upload row ${row.seq} (${row.kind}) failed${what === 'dropped' ? ` ${this.o.maxAttempts} times, dropped` : ', will retry'}: ${(err as Error)?.message ?? String(err)}`);
        }
        await turn();
      }
    } finally {
      if (held) await this.outbox.release();
    }
  }

  /** Waits while uploads are arriving, unless a reader waits or the oldest upload waited too long. */
  private async waitYourTurn(): Promise<void> {
    for (;;) {
      if (this.closed || this.readers > 0) return;
      const now = Date.now();
      const quietFor = now - this.lastUploadAt;
      const lag = this.waitingSince === null ? 0 : now - this.waitingSince;
      if (quietFor >= this.o.quietMs || lag >= this.o.maxLagMs) return;
      const sleep = wakeableSleep(Math.min(this.o.quietMs - quietFor, this.o.maxLagMs - lag));
      this.wake = sleep.wake;
      await sleep.done;
      this.wake = null;
    }
  }

  private async index(row: OutboxRow): Promise<void> {
    if (row.kind === 'records') {
      const ids = JSON.parse(row.payload) as string[];
      for (let i = 0; i < ids.length; i += this.o.stepRecords) {
        if (i > 0) {
          await turn();
          if (this.closed) return;
        }
        await this.indexer.onRecords(await this.outbox.storedRecords(ids.slice(i, i + this.o.stepRecords)));
      }
    } else if (row.kind === 'ledger') {
      await this.indexer.onLedger(JSON.parse(row.payload) as GitRecord[]);
    } else {
      for (const repo of JSON.parse(row.payload) as string[]) await this.indexer.onPrFacts(repo, await this.prFactsOf(repo));
    }
  }

  /** Rows waiting (for /metrics and answers that could not wait for all of them). */
  backlog(): Promise<number> {
    return this.outbox.pending();
  }
}

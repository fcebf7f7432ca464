/**
 * The sync outbox, kept in the local store's home (`<home>/sync/`), durable across crashes, sleeps and
 * restarts:
 *
 *   outbox.jsonl   one line per upload entry: {"entry":{seq,prev,hash,record},"journalSeq":N}, fsync'd
 *                  before anything is reported enqueued; seq/prev/hash are assigned here, once, so a
 *                  resend after a crash or a lost response is byte-identical (the server counts it as a
 *                  duplicate: exactly-once effect)
 *   state.json     what each server acknowledged (`acked[url]` = highest seq), the source id, and, after
 *                  compaction, the chain head and journal position the emptied outbox had reached
 *
 * A torn last line (a crash mid-append) was never reported enqueued: it is dropped on open and the
 * record is enqueued again from the journal. When every known server has acknowledged everything, the
 * outbox file is emptied (its head and journal position move into state.json first).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { type ProvenanceRecord, Sha256Hex } from '../model/schema';
import { GENESIS_HASH, UploadSource, uploadEntryJson } from './uploadChain';

const JournalPosition = z.object({ segment: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() });

const OutboxState = z.object({
  source: UploadSource,
  /** Chain head and journal seq as of the last compaction (the outbox file continues from them). */
  base: z.object({ seq: z.number().int().nonnegative(), hash: Sha256Hex, journalSeq: z.number().int().nonnegative() }),
  /** Where reading the local journal continues (an optimisation; journal seqs are the guard). */
  position: JournalPosition.nullable(),
  acked: z.record(z.string(), z.number().int().nonnegative()),
});
type OutboxState = z.infer<typeof OutboxState>;
export type JournalPositionState = z.infer<typeof JournalPosition>;

export interface OutboxLine {
  seq: number;
  journalSeq: number;
  /** The entry as its JSON text: sent as is, never re-serialised. */
  json: string;
}

export class OutboxError extends Error {}

export class Outbox {
  readonly dir: string;
  private readonly file: string;
  private readonly stateFile: string;
  private state: OutboxState;
  private lines: OutboxLine[] = [];
  private head: { seq: number; hash: string };
  private lastJournalSeq: number;

  private constructor(home: string) {
    this.dir = path.join(home, 'sync');
    this.file = path.join(this.dir, 'outbox.jsonl');
    this.stateFile = path.join(this.dir, 'state.json');
    mkdirSync(this.dir, { recursive: true });
    this.state = this.readState();
    this.head = { seq: this.state.base.seq, hash: this.state.base.hash };
    this.lastJournalSeq = this.state.base.journalSeq;
    this.readLines();
  }

  /** `source` names this outbox's chain on servers; a fresh outbox gets a random one unless given. */
  static open(home: string): Outbox {
    return new Outbox(home);
  }

  get source(): string {
    return this.state.source;
  }
  get journalSeq(): number {
    return this.lastJournalSeq;
  }
  get position(): JournalPositionState | null {
    return this.state.position;
  }
  get headSeq(): number {
    return this.head.seq;
  }
  /** Entries in the outbox file (acknowledged by every server or not). */
  get size(): number {
    return this.lines.length;
  }

  acked(server: string): number {
    return this.state.acked[server] ?? 0;
  }

  /** Entries the server has not acknowledged, oldest first. */
  pending(server: string): OutboxLine[] {
    const acked = this.acked(server);
    const i = this.lines.findIndex((l) => l.seq > acked);
    return i < 0 ? [] : this.lines.slice(i);
  }

  /** The oldest seq still in the outbox file (entries before it were compacted away). */
  get firstSeq(): number {
    return this.state.base.seq + 1;
  }

  /**
   * Chains and appends records (already at the upload privacy level), durably. `journalSeq` is the
   * local journal entry each came from; records from entries at or below the last one are skipped.
   */
  enqueue(items: { record: ProvenanceRecord; journalSeq: number }[], position: JournalPositionState | null): number {
    let text = '';
    const added: OutboxLine[] = [];
    let head = this.head;
    let journalSeq = this.lastJournalSeq;
    for (const { record, journalSeq: js } of items) {
      if (js <= journalSeq) continue;
      const seq = head.seq + 1;
      const { json, hash } = uploadEntryJson(seq, head.hash, record);
      text += `{"journalSeq":${js},"entry":${json}}\n`;
      added.push({ seq, journalSeq: js, json });
      head = { seq, hash };
      journalSeq = js;
    }
    if (added.length > 0) {
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.lines.push(...added);
      this.head = head;
      this.lastJournalSeq = journalSeq;
    }
    if (position) {
      this.state.position = position;
      this.writeState();
    }
    return added.length;
  }

  /** Marks everything up to `seq` acknowledged by `server` (durably), and compacts when it can. */
  ack(server: string, seq: number): void {
    this.state.acked[server] = Math.max(seq, this.acked(server));
    this.writeState();
    this.compactIfDone();
  }

  /** The server says its chain ends at `seq` (it lost data, or an ack was lost): resend from there. */
  rewind(server: string, seq: number): void {
    if (seq < this.state.base.seq) {
      throw new OutboxError(`the server's chain for this source ends at entry ${seq}, but entries up to ${this.state.base.seq} were already removed from the outbox`);
    }
    this.state.acked[server] = seq;
    this.writeState();
  }

  /**
   * Drops the entries every known server has acknowledged: all of them (the file is emptied), or a
   * prefix of at least half (the rest is rewritten to a new file, renamed over the old one).
   */
  private compactIfDone(): void {
    const acked = Math.min(...Object.values(this.state.acked));
    const drop = this.lines.findIndex((l) => l.seq > acked);
    const dropCount = drop < 0 ? this.lines.length : drop;
    if (dropCount === 0 || (drop >= 0 && dropCount < this.lines.length / 2)) return;
    const last = this.lines[dropCount - 1]!;
    // The base moves first (a crash between the two steps leaves entries the base already covers,
    // which readLines skips).
    this.state.base = { seq: last.seq, hash: JSON.parse(last.json).hash as string, journalSeq: last.journalSeq };
    this.writeState();
    const kept = this.lines.slice(dropCount);
    if (kept.length === 0) truncateSync(this.file, 0);
    else {
      const temp = `${this.file}.${process.pid}.tmp`;
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, kept.map((l) => `{"journalSeq":${l.journalSeq},"entry":${l.json}}\n`).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.file);
    }
    this.lines = kept;
  }

  private readState(): OutboxState {
    let text: string | null = null;
    try {
      text = readFileSync(this.stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === null) {
      const fresh: OutboxState = { source: `src-${randomBytes(12).toString('hex')}`, base: { seq: 0, hash: GENESIS_HASH, journalSeq: 0 }, position: null, acked: {} };
      this.state = fresh;
      this.writeState();
      return fresh;
    }
    const parsed = OutboxState.safeParse(JSON.parse(text));
    if (!parsed.success) throw new OutboxError(`${this.stateFile} is not a valid sync state: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    return parsed.data;
  }

  private readLines(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let offset = 0;
    while (offset < text.length) {
      const nl = text.indexOf('\n', offset);
      if (nl < 0) break; // torn last line: never acknowledged as enqueued
      const line = text.slice(offset, nl);
      let parsed: { journalSeq: number; entry: { seq: number; hash: string } };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        break;
      }
      if (parsed.entry.seq <= this.state.base.seq) {
        offset = nl + 1; // already covered by the base (a compaction was interrupted)
        continue;
      }
      if (parsed.entry.seq !== this.head.seq + 1) throw new OutboxError(`${this.file}: entry ${parsed.entry.seq} does not follow ${this.head.seq}`);
      const json = line.slice(line.indexOf('"entry":') + 8, -1);
      this.lines.push({ seq: parsed.entry.seq, journalSeq: parsed.journalSeq, json });
      this.head = { seq: parsed.entry.seq, hash: parsed.entry.hash };
      this.lastJournalSeq = parsed.journalSeq;
      offset = nl + 1;
    }
    if (offset < text.length) truncateSync(this.file, Buffer.byteLength(text.slice(0, offset)));
  }

  private writeState(): void {
    const temp = `${this.stateFile}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temp, this.stateFile);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }
}

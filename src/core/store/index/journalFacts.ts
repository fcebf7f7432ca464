/**
 * Lineage facts of records this process appended, read back from their journal lines when the lineage
 * queue is folded. Appends queue only where each record's line is (computing the facts on the caller's
 * thread cost ~10 us per record, and queueing them as JSON cost the worker as much again); the queue is
 * folded in journal order, so the lines are read sequentially, in windows of 1 MiB.
 *
 * Lenient like lineageFactsOf: a line that is gone (pruned, blanked) or does not hold the record it
 * should yields no facts, and the record stays indexed without lineage.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { type LineageFacts, lineageFactsOf } from '../../lineage/lineageFacts';
import type { JournalLocation } from '../journal/journalWriter';
import { segmentName } from '../journal/segments';

const WINDOW_BYTES = 1 << 20;

export class JournalFactsReader {
  private fd = -1;
  private segment = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private windowEnd = 0;

  constructor(private readonly journalDir: string) {}

  /** The facts of the record `recordId` put at `location`; null when the line is not (or no longer) that put. */
  facts(location: JournalLocation, recordId: string): LineageFacts | null {
    const text = this.line(location);
    if (text === null) return null;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      return null; // blanked by a prune, or damaged (reported when the index read it, if it did)
    }
    const put = entry as { op?: unknown; record?: { id?: unknown } | null } | null;
    if (typeof put !== 'object' || put === null || put.op !== 'put' || typeof put.record !== 'object' || put.record === null || put.record.id !== recordId) return null;
    return lineageFactsOf(put.record);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.segment = 0;
  }

  private line({ segment, offset, length }: JournalLocation): string | null {
    if (segment !== this.segment) {
      this.close();
      this.segment = segment;
      this.windowStart = this.windowEnd = 0;
      try {
        this.fd = openSync(path.join(this.journalDir, segmentName(segment)), 'r');
      } catch {
        return null; // removed by retention
      }
    }
    if (this.fd < 0) return null;
    if (offset < this.windowStart || offset + length > this.windowEnd) {
      const size = Math.max(WINDOW_BYTES, length);
      if (this.window.length < size) this.window = Buffer.allocUnsafe(size);
      const n = readSync(this.fd, this.window, 0, size, offset);
      this.windowStart = offset;
      this.windowEnd = offset + n;
      if (n < length) return null;
    }
    const at = offset - this.windowStart;
    return this.window.toString('utf8', at, at + length);
  }
}

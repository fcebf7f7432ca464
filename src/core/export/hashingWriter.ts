/**
 * A file written front to back in large chunks, hashed (SHA-256) as it goes, so an export never holds
 * more than one chunk and its digest costs no second read. Synchronous writes: the export runs in the
 * CLI process (or a worker), where that is the simplest way to keep memory flat.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

const CHUNK = 1024 * 1024;

export class HashingWriter {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLength = 0;
  bytes = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w', 0o644);
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK) this.flush();
  }

  /** Flushes, fsyncs and closes; returns the file's SHA-256 and size. */
  close(): { sha256: string; bytes: number } {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }

  /** Closes without a digest (an export that failed or was cancelled). */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.hash.update(buffer);
    let at = 0;
    while (at < buffer.length) at += writeSync(this.fd, buffer, at, buffer.length - at);
    this.bytes += buffer.length;
  }
}

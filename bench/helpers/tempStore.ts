/** Temporary store homes and file-tree fingerprints, for the store tests and benchmarks. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StoreFileHandle, StoreFs } from '../../src/core/store/storeFs';

export function tempHome(prefix = 'll-store-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

/** Every file under `dir` (relative path -> SHA-256 of its bytes): equal fingerprints mean nothing was touched. */
export function fingerprintTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Faults to inject into the journal writer's file operations (see src/core/store/storeFs.ts). */
export interface Faults {
  /** Writes to journal segments fail with this code once this many bytes were written in total. */
  failWritesAfterBytes?: number;
  writeErrorCode?: string;
  /** fdatasync fails with this code. */
  failDatasync?: string;
  /** fdatasync waits for this first. */
  beforeDatasync?: Promise<void>;
  /** Counters, for assertions. */
  datasyncs: number;
}

/** A StoreFs that behaves like the real one until a fault is set in `faults` (mutable during a test). */
export function faultyFs(base: StoreFs, faults: Faults): StoreFs {
  let written = 0;
  const ioError = (code: string) => Object.assign(new Error(`${code}: injected fault`), { code });
  return {
    ...base,
    async open(file, flags) {
      const handle = await base.open(file, flags);
      if (!file.endsWith('.jsonl')) return handle;
      return {
        ...handle,
        write: (async (data: Uint8Array, offset?: number, length?: number) => {
          const len = length ?? data.length;
          const limit = faults.failWritesAfterBytes;
          if (limit !== undefined && written + len > limit) {
            const room = Math.max(0, limit - written);
            if (room > 0) await handle.write(data, offset ?? 0, room); // a partial write, as a full disk does
            written += room;
            throw ioError(faults.writeErrorCode ?? 'ENOSPC');
          }
          written += len;
          return handle.write(data, offset, length);
        }) as StoreFileHandle['write'],
        datasync: async () => {
          faults.datasyncs++;
          await faults.beforeDatasync;
          if (faults.failDatasync) throw ioError(faults.failDatasync);
          return handle.datasync();
        },
        read: handle.read.bind(handle),
        truncate: handle.truncate.bind(handle),
        stat: handle.stat.bind(handle),
        close: handle.close.bind(handle),
      };
    },
  };
}

/** Waits until `condition()` holds (polling), failing after `limitMs`: for states, never for speed. */
export async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

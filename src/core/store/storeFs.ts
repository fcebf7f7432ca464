/**
 * The file operations the journal WRITER uses, behind a small interface so tests can inject faults
 * (a full disk, an I/O error after N bytes) where a real full file system is not available.
 * Readers use node:fs directly: a failing read is reported, it can never lose acknowledged data.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export type StoreFileHandle = Pick<FileHandle, 'write' | 'read' | 'datasync' | 'truncate' | 'stat' | 'close'>;

export interface StoreFs {
  open(path: string, flags: string): Promise<StoreFileHandle>;
  stat: typeof fsp.stat;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
  /** Hard link: fails with EEXIST when `to` exists, which makes it an atomic create-with-content. */
  link: typeof fsp.link;
  writeFile(path: string, data: string): Promise<void>;
  /** Makes a directory entry (a created or renamed file) durable. A no-op where directories cannot be opened. */
  syncDir(path: string): Promise<void>;
}

export const nodeStoreFs: StoreFs = {
  open: (path, flags) => fsp.open(path, flags),
  stat: fsp.stat,
  readdir: (path) => fsp.readdir(path),
  readFile: (path) => fsp.readFile(path),
  mkdir: (path, options) => fsp.mkdir(path, options),
  rename: fsp.rename,
  unlink: fsp.unlink,
  link: fsp.link,
  writeFile: (path, data) => fsp.writeFile(path, data),
  async syncDir(path) {
    if (process.platform === 'win32') return; // directories cannot be opened for fsync there
    const dir = await fsp.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Writes a whole buffer, looping over short writes. */
export async function writeFully(handle: StoreFileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/**
 * Copies of files taken when an agent is about to change them (a pre_edit event), for tools whose
 * post-edit payload names the files but not the change (Copilot's editFiles, Windsurf's post_write_code
 * without edits): the difference between the copy and the file afterwards is what the agent wrote.
 *
 * A copy lives only from the pre-edit hook to the post-edit hook of the same conversation and file (it is
 * code: it is deleted when used, and copies older than a day are swept). Files over the size cap are not
 * copied; a file that does not exist yet is remembered as absent (the whole new file is the change).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../model/content';
import { hookStateDir } from './conversationState';

export const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024;
const SNAPSHOT_MAX_AGE_MS = 24 * 3_600_000;

export type SnapshotTaken = 'copied' | 'absent' | 'too_large' | 'not_a_file';

export type SnapshotRead = { before: string } | { missing: string };

export class PreEditSnapshots {
  private readonly dir: string;

  constructor(
    home: string,
    private readonly tool: string,
    private readonly conversationId: string,
  ) {
    this.dir = path.join(hookStateDir(home), 'snapshots');
  }

  /** Copies `absolutePath` as it is now. */
  take(absolutePath: string): SnapshotTaken {
    mkdirSync(this.dir, { recursive: true });
    const base = this.base(absolutePath);
    rmSync(`${base}.absent`, { force: true });
    let size: number;
    try {
      const stat = statSync(absolutePath);
      if (!stat.isFile()) return 'not_a_file';
      size = stat.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      rmSync(`${base}.snap`, { force: true });
      writeFileSync(`${base}.absent`, '');
      return 'absent';
    }
    if (size > MAX_SNAPSHOT_BYTES) {
      rmSync(`${base}.snap`, { force: true });
      return 'too_large';
    }
    copyFileSync(absolutePath, `${base}.snap`);
    return 'copied';
  }

  /** The file's content before the change, and forgets the copy; or why there is none. */
  takeBack(absolutePath: string): SnapshotRead {
    const base = this.base(absolutePath);
    try {
      const before = readFileSync(`${base}.snap`);
      rmSync(`${base}.snap`, { force: true });
      if (before.includes(0)) return { missing: 'it is a binary file' };
      return { before: before.toString('utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      statSync(`${base}.absent`);
      rmSync(`${base}.absent`, { force: true });
      return { before: '' };
    } catch {
      return { missing: `no pre-edit copy (the pre-edit hook did not run, or the file was over ${MAX_SNAPSHOT_BYTES} bytes)` };
    }
  }

  /** Forgets any copy of the file (its change arrived with a payload that describes it). */
  discard(absolutePath: string): void {
    const base = this.base(absolutePath);
    rmSync(`${base}.snap`, { force: true });
    rmSync(`${base}.absent`, { force: true });
  }

  /** Deletes copies whose post-edit hook never came. */
  sweep(now: number = Date.now()): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        if (now - statSync(file).mtimeMs > SNAPSHOT_MAX_AGE_MS) rmSync(file, { force: true });
      } catch {
        // Removed by another process meanwhile.
      }
    }
  }

  private base(absolutePath: string): string {
    return path.join(this.dir, sha256Hex(`${this.tool}\u0000${this.conversationId}\u0000${absolutePath}`).slice(0, 40));
  }
}

/**
 * Tracking snapshots on disk, one small JSON file per document under `<store home>/tracking/`, named by
 * the SHA-256 of the document's uri (no path or code in file names or contents: anchors are hashes).
 * Written atomically (temp + rename), asynchronously; a missing or corrupt file reads as "no snapshot".
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { sha256Hex } from '../model/content';
import { parseSnapshot, type TrackingSnapshot } from './snapshot';

export function snapshotFile(home: string, uri: string): string {
  return path.join(home, 'tracking', `${sha256Hex(uri).slice(0, 40)}.json`);
}

export async function saveSnapshot(home: string, uri: string, snapshot: TrackingSnapshot): Promise<void> {
  const file = snapshotFile(home, uri);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(snapshot));
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The saved snapshot, or undefined when there is none or it cannot be read (reported through onProblem). */
export async function loadSnapshot(home: string, uri: string, onProblem: (message: string) => void = () => undefined): Promise<TrackingSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(snapshotFile(home, uri), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onProblem(`cannot read a tracking snapshot: ${(err as Error).message}`);
    return undefined;
  }
  try {
    return parseSnapshot(JSON.parse(text));
  } catch (err) {
    onProblem(`ignoring a corrupt tracking snapshot: ${(err as Error).message}`);
    return undefined;
  }
}

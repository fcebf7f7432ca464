/**
 * `store.json` at the root of a store: what it is and which format version wrote it. It is read before
 * anything else is touched, so a store written by a newer LineageLens is refused with a clear message
 * and left byte-for-byte as it was (no lock file, no directory, no snapshot is created).
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { StoreFormatError } from './storeErrors';
import type { StoreLayout } from './storeHome';

export const STORE_FORMAT = 'lineagelens.store';
/** Version of the on-disk format (journal lines, layout). Bumped only for changes older readers cannot read. */
export const STORE_VERSION = 1;

export const StoreManifest = z.object({
  format: z.string(),
  version: z.number().int(),
  /** Random id of this store: ties an index snapshot to the journal it was built from. */
  storeId: z.string().min(1).max(100),
  createdAt: z.string().optional(),
});
export type StoreManifest = z.infer<typeof StoreManifest>;

/** Upgrades from version N to N+1, run in order when an older store is opened. None yet: 1 is the first. */
const MIGRATIONS: Record<number, (layout: StoreLayout) => Promise<void>> = {};

export interface OpenManifestOptions {
  /** Create the store when there is none (writers). Readers (verify) refuse a missing store instead. */
  create: boolean;
}

/** Reads (or creates) and checks the manifest. Throws StoreFormatError, having changed nothing, when the store cannot be used. */
export async function openManifest(layout: StoreLayout, options: OpenManifestOptions): Promise<StoreManifest> {
  let text: string;
  try {
    text = await fsp.readFile(layout.manifest, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!options.create) throw new StoreFormatError(`there is no LineageLens store at ${layout.home} (no store.json)`);
    return createManifest(layout);
  }
  const manifest = parseManifest(text, layout.home);
  if (manifest.version > STORE_VERSION) {
    throw new StoreFormatError(
      `the store at ${layout.home} was written by a newer LineageLens (store format version ${manifest.version}; ` +
        `this version reads up to ${STORE_VERSION}): upgrade LineageLens to open it. Nothing was changed.`,
    );
  }
  if (manifest.version < STORE_VERSION) return migrate(layout, manifest);
  return manifest;
}

function parseManifest(text: string, home: string): StoreManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoreFormatError(`${path.join(home, 'store.json')} is not valid JSON: the store cannot be identified, so it was left untouched`);
  }
  const result = StoreManifest.safeParse(value);
  if (!result.success || result.data.format !== STORE_FORMAT) {
    throw new StoreFormatError(`${home} is not a LineageLens store (store.json does not say format "${STORE_FORMAT}")`);
  }
  if (result.data.version < 1) throw new StoreFormatError(`store.json at ${home} names version ${result.data.version}, which never existed`);
  return result.data;
}

async function migrate(layout: StoreLayout, manifest: StoreManifest): Promise<StoreManifest> {
  let current = manifest;
  for (let v = manifest.version; v < STORE_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new StoreFormatError(`no upgrade path from store format version ${v}`);
    await step(layout);
    current = { ...current, version: v + 1 };
    await writeAtomically(layout.manifest, `${JSON.stringify(current, null, 2)}\n`);
  }
  return current;
}

/** Exactly one of several processes creating the store at once wins (link fails if the file exists). */
async function createManifest(layout: StoreLayout): Promise<StoreManifest> {
  const manifest: StoreManifest = { format: STORE_FORMAT, version: STORE_VERSION, storeId: randomUUID(), createdAt: new Date().toISOString() };
  await fsp.mkdir(layout.home, { recursive: true });
  const temp = `${layout.manifest}.${process.pid}.${randomUUID()}.tmp`;
  await writeDurably(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    await fsp.link(temp, layout.manifest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return openManifest(layout, { create: false }); // another process created it first
  } finally {
    await fsp.unlink(temp).catch(() => undefined);
  }
  return manifest;
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await fsp.open(file, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeDurably(temp, text);
  await fsp.rename(temp, file);
}

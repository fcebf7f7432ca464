/**
 * Changing an agent's hook configuration file on disk for `lineagelens hooks install|uninstall` and the
 * editor's Connect commands: the text edits are hooksConfig.ts's; this file reads and writes. Before a change the file is copied to
 * `<file>.lineagelens.bak`; the new text replaces it atomically (through a symlink to its target, keeping
 * its permissions). A file (and folders) that install created are remembered in
 * `<store home>/hooks-created.json`, so uninstall can delete exactly those, and nothing the user made.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ConnectorTool } from '../connectors/types';
import { installHooks, uninstallHooks } from './hooksConfig';
import { COPILOT_HOOKS_FILE } from './paths';
import { writeFileAtomicSync } from '../config/atomicWrite';

export const BACKUP_SUFFIX = '.lineagelens.bak';
const CREATED_FILE = 'hooks-created.json';

const Created = z.object({ files: z.array(z.object({ path: z.string(), dirs: z.array(z.string()) })) });
type Created = z.infer<typeof Created>;

/** The file's text, or undefined when it does not exist. */
export function readConfigText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes new text over an existing file, after copying it to the backup. */
export function replaceConfigFile(file: string, text: string): { backup: string } {
  const target = realTarget(file);
  const backup = `${file}${BACKUP_SUFFIX}`;
  copyFileSync(target, backup);
  const mode = statSync(target).mode & 0o777;
  writeFileAtomicSync(target, text);
  chmodSync(target, mode);
  return { backup };
}

/** Creates a file that did not exist, remembering it (and the folders made for it) as ours. */
export function createConfigFile(file: string, text: string, storeHome: string): void {
  const firstDir = mkdirSync(path.dirname(file), { recursive: true });
  const dirs: string[] = [];
  if (firstDir) for (let d = path.dirname(file); d.length >= firstDir.length; d = path.dirname(d)) dirs.push(d);
  writeFileAtomicSync(file, text);
  const created = readCreated(storeHome);
  created.files = created.files.filter((f) => f.path !== file);
  created.files.push({ path: file, dirs });
  writeCreated(storeHome, created);
}

/** Whether install created this file (then uninstall may delete it). */
export function wasCreatedByUs(file: string, storeHome: string): boolean {
  return readCreated(storeHome).files.some((f) => f.path === file);
}

/** Deletes a file install created, and the folders it made for it when they are empty. */
export function deleteCreatedConfigFile(file: string, storeHome: string): void {
  const created = readCreated(storeHome);
  const entry = created.files.find((f) => f.path === file);
  rmSync(file, { force: true });
  for (const dir of entry?.dirs ?? []) {
    try {
      rmdirSync(dir);
    } catch {
      break; // not empty: the user keeps something there
    }
  }
  created.files = created.files.filter((f) => f.path !== file);
  writeCreated(storeHome, created);
}

/** Forgets that install created the file (it now holds the user's own entries too). */
export function forgetCreated(file: string, storeHome: string): void {
  const created = readCreated(storeHome);
  if (!created.files.some((f) => f.path === file)) return;
  created.files = created.files.filter((f) => f.path !== file);
  writeCreated(storeHome, created);
}

function realTarget(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return file;
  }
}

function readCreated(storeHome: string): Created {
  try {
    const parsed = Created.safeParse(JSON.parse(readFileSync(path.join(storeHome, CREATED_FILE), 'utf8')));
    return parsed.success ? parsed.data : { files: [] };
  } catch {
    return { files: [] };
  }
}

function writeCreated(storeHome: string, created: Created): void {
  const file = path.join(storeHome, CREATED_FILE);
  if (created.files.length === 0) rmSync(file, { force: true });
  else writeFileAtomicSync(file, JSON.stringify(created, null, 2) + '\n');
}

export interface InstallOutcome {
  changed: boolean;
  /** The file did not exist: install created it (uninstall may delete it). */
  created: boolean;
  backup?: string;
}

/** Merges our entries for `tool` into its configuration file (creating it when missing). */
export function installHooksInFile(tool: ConnectorTool, file: string, command: string, storeHome: string): InstallOutcome {
  const existing = readConfigText(file);
  const edit = installHooks(tool, existing, command);
  if (!edit.changed) return { changed: false, created: false };
  if (existing === undefined) {
    createConfigFile(file, edit.text, storeHome);
    return { changed: true, created: true };
  }
  return { changed: true, created: false, ...replaceConfigFile(file, edit.text) };
}

export interface UninstallOutcome {
  state: 'no_file' | 'not_installed' | 'deleted' | 'removed';
  backup?: string;
}

/** Removes exactly our entries for `tool`; deletes the file when install created it and nothing else is left. */
export function uninstallHooksFromFile(tool: ConnectorTool, file: string, storeHome: string): UninstallOutcome {
  const text = readConfigText(file);
  if (text === undefined) return { state: 'no_file' };
  const removal = uninstallHooks(tool, text);
  if (!removal.changed) return { state: 'not_installed' };
  // Copilot reads every file of its hooks folder; lineagelens.json is ours by name.
  const ours = wasCreatedByUs(file, storeHome) || (tool === 'copilot' && path.basename(file) === COPILOT_HOOKS_FILE);
  if (removal.removable && ours) {
    deleteCreatedConfigFile(file, storeHome);
    return { state: 'deleted' };
  }
  const { backup } = replaceConfigFile(file, removal.text);
  forgetCreated(file, storeHome);
  return { state: 'removed', backup };
}

/**
 * The hook spool: where the launcher (`<home>/bin/lineagelens`, a shell script) leaves an agent's hook
 * payload so the agent can go on at once, instead of waiting for a Node process to start (slower than the
 * 100 ms an agent should wait, on its own, on a small machine). A background `lineagelens hook-drain`
 * records the payloads in order and deletes each once recorded; a payload that fails is moved aside.
 *
 * File names: `<unix ns>-<pid>-<tool>.json`, written as `.tmp` and renamed, so a reader never sees part of
 * one. Sorting by name is sorting by time (equal-length ns stamps), which keeps a conversation's prompt
 * before its edits.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export interface SpooledPayload {
  name: string;
  file: string;
  tool: string;
  /** When the launcher spooled it (ms since epoch). */
  time: number;
}

const NAME = /^(\d{10,20})-(\d+)-([a-z-]+)\.json$/;

export function spoolDir(home: string): string {
  return path.join(home, 'hooks', 'spool');
}

/** Spooled payloads, oldest first. */
export function listSpooled(home: string): SpooledPayload[] {
  let names: string[];
  try {
    names = readdirSync(spoolDir(home));
  } catch {
    return [];
  }
  const out: SpooledPayload[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    out.push({ name, file: path.join(spoolDir(home), name), tool: m[3]!, time: Math.floor(Number(m[1]!.padEnd(19, '0').slice(0, 19)) / 1e6) });
  }
  return out.sort((a, b) => (a.name.length - b.name.length) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

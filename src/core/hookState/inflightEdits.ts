/**
 * Agent edits announced but not yet reported. An agent's pre-edit hook (Claude Code's and Codex's
 * PreToolUse) runs before the agent writes the file; it leaves a small marker naming the files. When the
 * editor then sees such a file change on disk, it knows the agent's report (PostToolUse, with prompt and
 * model) is on its way and waits briefly for it, so the two become one record instead of two.
 *
 * Written on the agent's critical path: plain JSON, no zod, no parsers, one small file per announcement
 * (concurrent hook processes never share a file). Read by the extension: every field is checked by hand.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { listSpooled } from './hookSpool';

export interface InflightEdit {
  tool: string;
  conversationId?: string;
  toolUseId?: string;
  /** Absolute paths of the files the agent announced it will write. */
  files: string[];
  /** When the announcement was made (ms since epoch). */
  time: number;
}

/** Announcements older than this are of no use to anyone (the editor waits seconds, not minutes). */
export const INFLIGHT_MAX_AGE_MS = 10 * 60_000;
const MAX_FILES = 200;

export function inflightDir(home: string): string {
  return path.join(home, 'hooks', 'inflight');
}

/**
 * The files a pre-edit payload announces, without loading the connectors: Claude Code's `tool_input.file_path`
 * / `notebook_path`, and the file headers of a Codex `apply_patch` (resolved against `cwd`).
 */
export function announcedEdit(tool: string, payload: unknown, now = Date.now()): InflightEdit | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const cwd = typeof p.cwd === 'string' && path.isAbsolute(p.cwd) ? p.cwd : undefined;
  const input = p.tool_input;
  const files: string[] = [];
  if (tool === 'claude-code' && typeof input === 'object' && input !== null) {
    const i = input as Record<string, unknown>;
    const file = typeof i.file_path === 'string' ? i.file_path : typeof i.notebook_path === 'string' ? i.notebook_path : undefined;
    if (file) files.push(file);
  } else if (tool === 'codex') {
    const text = typeof input === 'string' ? input : typeof input === 'object' && input !== null ? firstString(input as Record<string, unknown>, ['command', 'input', 'patch']) : undefined;
    if (text) files.push(...patchFiles(text));
  }
  const absolute = files
    .map((f) => (path.isAbsolute(f) ? path.normalize(f) : cwd ? path.resolve(cwd, f) : undefined))
    .filter((f): f is string => f !== undefined)
    .slice(0, MAX_FILES);
  if (absolute.length === 0) return undefined;
  return {
    tool,
    ...(typeof p.session_id === 'string' ? { conversationId: p.session_id.slice(0, 200) } : {}),
    ...(typeof p.tool_use_id === 'string' ? { toolUseId: p.tool_use_id.slice(0, 200) } : {}),
    files: absolute,
    time: now,
  };
}

function firstString(o: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) {
      const s = v.find((x): x is string => typeof x === 'string' && x.includes('*** Begin Patch'));
      if (s) return s;
    }
  }
  return undefined;
}

const PATCH_FILE_HEADER = /^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$/gm;

function patchFiles(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PATCH_FILE_HEADER)) out.add(m[1]!.trim());
  return [...out];
}

/** Leaves the marker (temp file + rename, so a reader never sees half of one). Throws on I/O errors. */
export function announceEdit(home: string, edit: InflightEdit): string {
  const dir = inflightDir(home);
  mkdirSync(dir, { recursive: true });
  const name = `${edit.time}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.json`;
  const tmp = path.join(dir, `.${name}.tmp`);
  writeFileSync(tmp, JSON.stringify(edit));
  renameSync(tmp, path.join(dir, name));
  return name;
}

/**
 * Announcements naming `file` (absolute; compared after normalisation) made at or after `sinceMs`, oldest
 * first. Unreadable or foreign files are skipped: a marker is a hint, never a source of truth.
 */
export function findInflightEdits(home: string, file: string, sinceMs: number): InflightEdit[] {
  const target = path.normalize(file);
  const out: InflightEdit[] = [];
  for (const name of listMarkers(home)) {
    if (markerTime(name) < sinceMs) continue;
    const edit = readMarker(path.join(inflightDir(home), name));
    if (edit && edit.time >= sinceMs && edit.files.some((f) => path.normalize(f) === target)) out.push(edit);
  }
  // Pre-edit payloads still in the hook spool announce too: the agent may write before they are drained.
  for (const spooled of listSpooled(home)) {
    if (spooled.time < sinceMs) continue;
    const edit = spooledAnnouncement(spooled.file, spooled.tool, spooled.time);
    if (edit && edit.files.some((f) => path.normalize(f) === target)) out.push(edit);
  }
  // The drain may have made a marker of a payload it has not deleted yet: one announcement per tool call.
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.time - b.time)
    .filter((e) => {
      if (!e.toolUseId) return true;
      const key = `${e.tool}\u0000${e.toolUseId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** A spooled payload announces when it is a pre-edit one (Claude Code and Codex PreToolUse). */
function spooledAnnouncement(file: string, tool: string, time: number): InflightEdit | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('PreToolUse')) return undefined;
    const payload = JSON.parse(text) as { hook_event_name?: unknown };
    return payload.hook_event_name === 'PreToolUse' ? announcedEdit(tool, payload, time) : undefined;
  } catch {
    return undefined; // drained meanwhile, or not JSON: the drain reports it
  }
}

/** Deletes markers older than `maxAgeMs` (and stray temp files). Never throws. */
export function sweepInflight(home: string, now = Date.now(), maxAgeMs = INFLIGHT_MAX_AGE_MS): number {
  let removed = 0;
  const dir = inflightDir(home);
  for (const name of listMarkers(home, true)) {
    const t = markerTime(name.replace(/^\./, ''));
    if (Number.isFinite(t) && now - t <= maxAgeMs) continue;
    try {
      rmSync(path.join(dir, name), { force: true });
      removed++;
    } catch {
      // another process swept it, or the folder is read-only: harmless
    }
  }
  return removed;
}

function listMarkers(home: string, withTemp = false): string[] {
  try {
    return readdirSync(inflightDir(home)).filter((n) => n.endsWith('.json') || (withTemp && n.endsWith('.tmp')));
  } catch {
    return [];
  }
}

function markerTime(name: string): number {
  const t = Number(name.slice(0, name.indexOf('-')));
  return Number.isFinite(t) && t > 0 ? t : Number.NaN;
}

function readMarker(file: string): InflightEdit | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || typeof v.tool !== 'string' || typeof v.time !== 'number' || !Array.isArray(v.files)) return undefined;
    const files = v.files.filter((f): f is string => typeof f === 'string' && path.isAbsolute(f));
    return {
      tool: v.tool,
      ...(typeof v.conversationId === 'string' ? { conversationId: v.conversationId } : {}),
      ...(typeof v.toolUseId === 'string' ? { toolUseId: v.toolUseId } : {}),
      files,
      time: v.time,
    };
  } catch {
    return undefined;
  }
}

/**
 * Which files `lineagelens import <tool> <path...>` reads. A file named on the command line is read
 * whatever its name; a folder is searched (without following symlinked folders) for the files the tool
 * writes there:
 * - claude-code: `*.jsonl` (a projects folder, with subagents' transcripts under `<session>/subagents/`);
 * - codex, windsurf: `*.jsonl` (Codex's `sessions/YYYY/MM/DD/rollout-*.jsonl`);
 * - cursor: `*.vscdb` (state.vscdb) and agent transcripts `*.jsonl`;
 * - copilot: `chatSessions/*.json(l)`, `chatEditingSessions/<id>/state.json` and `transcripts/*.jsonl`.
 *   chatSessions and chatEditingSessions describe the same edits under different ids: where a workspace
 *   folder has both, only chatSessions is read.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ConnectorTool } from '../../core/connectors/types';

const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const MAX_DEPTH = 16;

export interface FoundFiles {
  files: string[];
  /** Paths that could not be read, or folders without any transcript. */
  problems: { path: string; message: string }[];
}

export function transcriptFiles(tool: ConnectorTool, paths: readonly string[]): FoundFiles {
  const found: FoundFiles = { files: [], problems: [] };
  const seen = new Set<string>();
  const add = (file: string) => {
    if (!seen.has(file)) {
      seen.add(file);
      found.files.push(file);
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(given);
    let isDir: boolean;
    try {
      isDir = statSync(absolute).isDirectory();
    } catch (err) {
      found.problems.push({ path: absolute, message: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    if (!isDir) {
      add(absolute);
      continue;
    }
    const inDir: string[] = [];
    walk(absolute, 0, inDir, found);
    const chosen = inDir.filter((f) => isTranscriptOf(tool, f)).sort();
    const kept = tool === 'copilot' ? withoutDuplicateEditingSessions(chosen) : chosen;
    if (kept.length === 0) found.problems.push({ path: absolute, message: `no ${tool} transcript files in this folder` });
    kept.forEach(add);
  }
  return found;
}

function walk(dir: string, depth: number, out: string[], found: FoundFiles): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    found.problems.push({ path: dir, message: `cannot list it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(entry.name)) walk(full, depth + 1, out, found);
    } else if (entry.isFile()) {
      out.push(full);
    }
  }
}

function isTranscriptOf(tool: ConnectorTool, file: string): boolean {
  const name = path.basename(file);
  const parts = file.split(path.sep);
  const parent = parts.at(-2);
  switch (tool) {
    case 'claude-code':
    case 'codex':
    case 'windsurf':
      return name.endsWith('.jsonl');
    case 'cursor':
      return name.endsWith('.vscdb') || name.endsWith('.jsonl');
    case 'copilot':
      if (parent === 'chatSessions') return name.endsWith('.json') || name.endsWith('.jsonl');
      if (parent === 'transcripts') return name.endsWith('.jsonl');
      return name === 'state.json' && parts.at(-3) === 'chatEditingSessions';
  }
}

/** Drops chatEditingSessions/<id>/state.json files of workspace folders that also have chatSessions. */
function withoutDuplicateEditingSessions(files: readonly string[]): string[] {
  const withChatSessions = new Set(files.filter((f) => path.basename(path.dirname(f)) === 'chatSessions').map((f) => path.dirname(path.dirname(f))));
  return files.filter((f) => {
    if (path.basename(f) !== 'state.json') return true;
    const workspace = path.dirname(path.dirname(path.dirname(f)));
    return !withChatSessions.has(workspace);
  });
}

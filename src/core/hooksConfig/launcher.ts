/**
 * A launcher at a stable path, `<store home>/bin/lineagelens`, for hook commands written by the editor.
 * The extension's own files move with every update (the folder name has the version) and the editor's
 * runtime is not `node` on PATH (VS Code runs Electron: it acts as Node with ELECTRON_RUN_AS_NODE=1).
 * Hook configurations name the launcher; the extension rewrites the launcher when it moves, so connected
 * agents keep working across updates without touching their configuration again.
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../config/atomicWrite';
import type { ConnectorTool } from '../connectors/types';

export interface LauncherTarget {
  /** The runtime: node, or an Electron binary that acts as node. */
  execPath: string;
  /** The bundled CLI script (dist/cli.js). */
  cliPath: string;
  /** Who wrote it, for a human reading the file. */
  writtenBy: string;
}

export function launcherPath(home: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(home, 'bin', platform === 'win32' ? 'lineagelens.cmd' : 'lineagelens');
}

export function launcherText(target: LauncherTarget, platform: NodeJS.Platform = process.platform): string {
  for (const p of [target.execPath, target.cliPath]) {
    if (/["\n\r%$`\\]/.test(platform === 'win32' ? p.replace(/\\/g, '') : p)) throw new Error(`cannot write a launcher for a path with quotes or shell characters: ${p}`);
  }
  if (platform === 'win32') {
    return `@echo off\r\nrem ${target.writtenBy}; rewritten when LineageLens moves.\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${target.execPath}" "${target.cliPath}" %*\r\n`;
  }
  return [
    '#!/bin/sh',
    `# ${target.writtenBy}; rewritten when LineageLens moves.`,
    `node="${target.execPath}"`,
    `cli="${target.cliPath}"`,
    '# Hooks of agents whose payload carries the edit: spool the payload and let the agent go on at once;',
    '# a background "hook-drain" records it (a Node start alone is slower than an agent should wait).',
    'if [ "$1" = hook ] && { [ "$#" -eq 2 ] || { [ "$#" -eq 4 ] && [ "$3" = --home ]; }; }; then',
    '  case "$2" in claude-code|codex|cursor)',
    '    home="${LINEAGELENS_HOME:-$HOME/.lineagelens}"',
    '    [ "$#" -eq 4 ] && home="$4"',
    '    case "$home" in /*)',
    '      spool="$home/hooks/spool"',
    '      ts=$(date +%s%N 2>/dev/null)',
    '      case "$ts" in *[!0-9]*|"") ts="$(date +%s)000000000";; esac',
    '      f="$spool/$ts-$$-$2"',
    '      if mkdir -p "$spool" 2>/dev/null && cat > "$f.tmp" && mv "$f.tmp" "$f.json"; then',
    '        if [ "$2" = cursor ] && grep -q \'"beforeSubmitPrompt"\' "$f.json"; then printf \'{"continue":true}\\n\'; fi',
    '        ELECTRON_RUN_AS_NODE=1 nohup "$node" "$cli" hook-drain --home "$home" >/dev/null 2>&1 </dev/null &',
    '        exit 0',
    '      fi',
    '      rm -f "$f.tmp";;',
    '    esac;;',
    '  esac',
    'fi',
    'ELECTRON_RUN_AS_NODE=1 exec "$node" "$cli" "$@"',
    '',
  ].join('\n');
}

/** Writes the launcher when missing or different; returns its path and whether it changed. */
export function ensureLauncher(home: string, target: LauncherTarget, platform: NodeJS.Platform = process.platform): { path: string; changed: boolean } {
  const file = launcherPath(home, platform);
  const text = launcherText(target, platform);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return { path: file, changed: false };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, text);
  if (platform !== 'win32') chmodSync(file, 0o755);
  return { path: file, changed: true };
}

/** The hook command that runs the launcher (its name makes hooksConfig recognise the entry as ours). */
export function launcherHookCommand(launcher: string, tool: ConnectorTool, home?: string): string {
  for (const p of [launcher, home ?? '']) {
    if (p.includes('"')) throw new Error(`cannot write a hook command for a path containing '"': ${p}`);
  }
  return `"${launcher}" hook ${tool}${home ? ` --home "${home}"` : ''}`;
}

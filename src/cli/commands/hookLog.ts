/**
 * `<home>/logs/hooks.log`: one line per hook invocation, so a user can see that hooks run and why
 * something was not recorded, without the hook ever writing to the agent's terminal. A line holds time,
 * tool, event, outcome, counts, duration and messages; never code or prompt text (messages come from
 * parsers and our own code, which name files, events and lines only). The file is capped: past
 * MAX_HOOK_LOG_BYTES it is moved to hooks.log.1 (replacing the previous one) and started again.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import * as path from 'node:path';

export const MAX_HOOK_LOG_BYTES = 1024 * 1024;
const MAX_MESSAGE_CHARS = 300;
const MAX_MESSAGES = 5;

export type HookOutcome = 'recorded' | 'remembered' | 'announced' | 'nothing_to_record' | 'ignored' | 'failed';

export interface HookLogEntry {
  tool: string;
  event?: string;
  outcome: HookOutcome;
  edits: number;
  prompts: number;
  /** Edits that could not be recorded (outside the repository, no pre-edit copy, ...). */
  skipped: number;
  durationMs: number;
  messages: string[];
}

export function hookLogPath(home: string): string {
  return path.join(home, 'logs', 'hooks.log');
}

export function formatHookLogLine(entry: HookLogEntry, time: Date = new Date()): string {
  const fields = [
    time.toISOString(),
    `tool=${token(entry.tool)}`,
    `event=${token(entry.event ?? '-')}`,
    `outcome=${entry.outcome}`,
    `edits=${entry.edits}`,
    `prompts=${entry.prompts}`,
    `skipped=${entry.skipped}`,
    `ms=${Math.round(entry.durationMs)}`,
  ];
  const shown = entry.messages.slice(0, MAX_MESSAGES).map((m) => JSON.stringify(oneLine(m)));
  if (entry.messages.length > MAX_MESSAGES) shown.push(`"(+${entry.messages.length - MAX_MESSAGES} more)"`);
  if (shown.length) fields.push(`messages=[${shown.join(', ')}]`);
  return fields.join(' ') + '\n';
}

/** Appends one line; never throws (a hook must not fail because its log cannot be written). */
export function writeHookLog(home: string, entry: HookLogEntry): void {
  const file = hookLogPath(home);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      if (statSync(file).size > MAX_HOOK_LOG_BYTES) renameSync(file, `${file}.1`);
    } catch {
      // No log yet, or another process rotated it just now.
    }
    appendFileSync(file, formatHookLogLine(entry));
  } catch {
    // Nowhere left to report to: stay silent rather than disturb the agent.
  }
}

function token(value: string): string {
  return value.replace(/[^\w.:/@+-]/g, '_').slice(0, 80) || '-';
}

function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…` : flat;
}

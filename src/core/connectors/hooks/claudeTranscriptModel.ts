/**
 * The model of a Claude Code conversation, from the end of its transcript: hooks do not carry the model, but
 * the assistant line that made the edit was written just before the PostToolUse hook runs. Only the tail of
 * the file is needed (transcripts grow to many megabytes): the caller reads the last
 * CLAUDE_TRANSCRIPT_TAIL_BYTES and passes them here.
 */
import { modelFromName } from '../modelRef';
import type { Model } from '../../model/schema';

/** How much of the transcript's end to read: several assistant lines, even with large tool results. */
export const CLAUDE_TRANSCRIPT_TAIL_BYTES = 512 * 1024;

/**
 * The model of the latest assistant line in `tail` (the end of a transcript, possibly starting mid-line),
 * or 'unknown'. Lines that are not whole JSON (the cut first line, a line still being written) are skipped.
 */
export function modelFromClaudeTranscriptTail(tail: string): Model {
  let end = tail.length;
  while (end > 0) {
    const nl = tail.lastIndexOf('\n', end - 1);
    const line = tail.slice(nl + 1, end).trim();
    end = nl < 0 ? 0 : nl;
    if (!line.includes('"assistant"')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const v = value as { type?: unknown; message?: { model?: unknown } };
    if (v.type !== 'assistant') continue;
    const model = modelFromName(v.message?.model, 'anthropic');
    if (model !== 'unknown') return model;
  }
  return 'unknown';
}

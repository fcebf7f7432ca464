/**
 * AI spans of a document that the editor never tracked (an agent wrote the file while it was closed, a
 * transcript import, another machine's records): found from the stored edit records themselves. A record
 * is placed only where its text is verifiably there — the text at its range, or its own text found once
 * more nearby, with the SHA-256 of the original text matching — and never guessed: what cannot be found is
 * left out, not drawn on the wrong line.
 */
import { sha256Hex } from '../model/content';
import type { EditEvent } from '../model/schema';
import type { AiSpan } from './attributionTracker';
import { TextLines } from './textLines';

/** How far (in characters) from its recorded place a record's text is looked for. */
const SEARCH_WINDOW = 20_000;

export interface RecordPlacement {
  spans: AiSpan[];
  placed: string[];
  notFound: string[];
}

/**
 * Spans for `records` in `text`, oldest first so a later edit's text wins where they overlap. Rejected and
 * empty edits attribute nothing.
 */
export function spansFromRecords(text: string, records: readonly EditEvent[]): RecordPlacement {
  const lines = new TextLines(text);
  const out: RecordPlacement = { spans: [], placed: [], notFound: [] };
  const ordered = [...records].filter((r) => r.disposition !== 'rejected').sort((a, b) => a.time.localeCompare(b.time));
  for (const r of ordered) {
    const found = placeRecord(text, lines, r);
    if (found === undefined) {
      if (r.contentHash !== EMPTY_HASH) out.notFound.push(r.id);
      continue;
    }
    // A later record over an earlier one's characters: the earlier keeps only what is left outside.
    const kept: AiSpan[] = [];
    for (const s of out.spans) {
      if (s.end <= found.start || s.start >= found.end) kept.push(s);
      else {
        if (s.start < found.start) kept.push({ ...s, end: found.start });
        if (s.end > found.end) kept.push({ ...s, start: found.end });
      }
    }
    kept.push({ start: found.start, end: found.end, recordId: r.id, modified: r.disposition === 'partially_kept' });
    out.spans = kept.sort((a, b) => a.start - b.start);
    out.placed.push(r.id);
  }
  return out;
}

const EMPTY_HASH = sha256Hex('');

function placeRecord(text: string, lines: TextLines, r: EditEvent): { start: number; end: number } | undefined {
  const original = originalText(r);
  const at = lines.offsetAt(r.rangeAfter.start);
  if (original !== undefined) {
    if (original.length === 0 || sha256Hex(original) !== r.contentHash) return undefined;
    if (at !== null && text.startsWith(original, at)) return { start: at, end: at + original.length };
    // Moved (lines inserted above): the nearest occurrence within the window.
    const expected = at ?? 0;
    const from = Math.max(0, expected - SEARCH_WINDOW);
    let best: number | undefined;
    for (let i = text.indexOf(original, from); i >= 0 && i <= expected + SEARCH_WINDOW; i = text.indexOf(original, i + 1)) {
      if (best === undefined || Math.abs(i - expected) < Math.abs(best - expected)) best = i;
    }
    return best === undefined ? undefined : { start: best, end: best + original.length };
  }
  // Only the hash is stored: the text at the recorded range must hash to it.
  const end = lines.offsetAt(r.rangeAfter.end);
  if (at === null || end === null || end <= at) return undefined;
  return sha256Hex(text.slice(at, end)) === r.contentHash ? { start: at, end } : undefined;
}

/** The inserted text exactly as it landed, when the record keeps it (redacted text only without redactions). */
function originalText(r: EditEvent): string | undefined {
  const c = r.insertedText;
  if (c.form === 'text') return c.text;
  if (c.form === 'redacted' && c.redactions === 0) return c.text;
  return undefined;
}

/**
 * The persisted form of a document's AI spans: position anchors that can be found again after the
 * file is closed, changed on disk, switched by git, or VS Code restarts. Only hashes are kept, never
 * code. A snapshot is outside input when read back, so it is validated with zod at that boundary.
 *
 * Per span: its position, the SHA-256 of its text, how many non-whitespace characters it has (its
 * weight as evidence), a "key line" used to look it up elsewhere (the first line the span covers
 * entirely, preferring one that is unique in the file; else its start line), and fingerprints of the
 * lines just before and after it (context, which gives short spans enough evidence to be placed).
 */
import { z } from 'zod';
import type { AiSpan } from './attributionTracker';
import { contentHash, sha256Hex } from './hashing';
import { isWhitespaceCode } from './lineAttribution';
import { NumberTable } from './numberTable';
import { TextLines } from './textLines';

export const SNAPSHOT_FORMAT = 'lineagelens.tracking/1';

const Count = z.number().int().nonnegative();
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256 digest');
const Key = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Pos = z.object({ line: Count, character: Count });
const LineFingerprint = z.object({ key: Key, nonWs: Count });

export const SpanAnchor = z.object({
  recordId: z.string().min(1).max(200),
  modified: z.boolean(),
  start: Pos,
  end: Pos,
  contentHash: Hex64,
  nonWs: Count,
  /** The key line, relative to start.line. */
  keyLine: Count,
  keyLineKey: Key,
  /** Whether the key line's text occurred exactly once in the file when the snapshot was taken. */
  keyLineUnique: z.boolean(),
  before: LineFingerprint.nullable(),
  after: LineFingerprint.nullable(),
});
export type SpanAnchor = z.infer<typeof SpanAnchor>;

export const TrackingSnapshot = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  /** SHA-256 of the whole text the anchors refer to. */
  textHash: Hex64,
  lineCount: Count,
  anchors: z.array(SpanAnchor).max(1_000_000),
});
export type TrackingSnapshot = z.infer<typeof TrackingSnapshot>;

/** Validates a stored snapshot; throws an Error naming the first problem. */
export function parseSnapshot(value: unknown): TrackingSnapshot {
  const parsed = TrackingSnapshot.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid tracking snapshot at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The line after the span's last character (the span's end line, unless the span ends mid-line). */
export function lineAfter(anchor: Pick<SpanAnchor, 'start' | 'end'>): number {
  return anchor.end.character === 0 && anchor.end.line > anchor.start.line ? anchor.end.line : anchor.end.line + 1;
}

/** Anchors for `spans` (as AttributionTracker.spans() returns them) of a document whose text is `text`. */
export function createSnapshot(text: string, spans: readonly AiSpan[]): TrackingSnapshot {
  const lines = new TextLines(text);
  const keys = lines.keys();
  const keyCounts = new NumberTable(keys.length);
  for (const key of keys) keyCounts.set(key, keyCounts.get(key, 0) + 1);
  const fingerprint = (line: number) => (line >= 0 && line < lines.count ? { key: keys[line]!, nonWs: lines.nonWhitespace(line) } : null);

  const anchors = spans.map((span): SpanAnchor => {
    if (span.start < 0 || span.end > text.length || span.start >= span.end) throw new RangeError(`span [${span.start}, ${span.end}) is not inside the text`);
    const start = lines.positionAt(span.start);
    const end = lines.positionAt(span.end);
    const spanText = text.slice(span.start, span.end);
    const keyLine = chooseKeyLine(lines, span, start.line, keyCounts, keys);
    return {
      recordId: span.recordId,
      modified: span.modified,
      start,
      end,
      contentHash: contentHash(spanText),
      nonWs: countNonWhitespace(spanText),
      keyLine: keyLine - start.line,
      keyLineKey: keys[keyLine]!,
      keyLineUnique: keyCounts.get(keys[keyLine]!, 0) === 1,
      before: fingerprint(start.line - 1),
      after: fingerprint(lineAfter({ start, end })),
    };
  });
  return { format: SNAPSHOT_FORMAT, textHash: sha256Hex(text), lineCount: lines.count, anchors };
}

/**
 * The first line the span covers entirely that has non-whitespace text and is unique in the file; else
 * the first such line even if repeated; else the span's start line (a fragment within a line).
 */
function chooseKeyLine(lines: TextLines, span: AiSpan, startLine: number, keyCounts: NumberTable, keys: Float64Array): number {
  let fallback = -1;
  for (let line = startLine; line < lines.count && lines.starts[line]! < span.end; line++) {
    const covered = lines.starts[line]! >= span.start && lines.contentEnd(line) <= span.end;
    if (!covered || lines.nonWhitespace(line) === 0) continue;
    if (keyCounts.get(keys[line]!, 0) === 1) return line;
    if (fallback < 0) fallback = line;
  }
  return fallback >= 0 ? fallback : startLine;
}

function countNonWhitespace(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (!isWhitespaceCode(text.charCodeAt(i))) count++;
  return count;
}

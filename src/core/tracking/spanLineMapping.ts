/**
 * Carries a span through a line mapping (lineMatching.ts): each of its lines that survived unchanged,
 * with enough evidence, lands on its new line at the same columns; consecutive surviving lines that are
 * also consecutive in the new text form one range.
 */
import type { LineMapping } from './lineMatching';
import type { SpanAnchor } from './snapshot';
import type { OffsetRange } from './spanSearch';
import type { TextLines } from './textLines';

export interface MappedSpan {
  ranges: OffsetRange[];
  /** Every line of the span survived. */
  whole: boolean;
}

export function mapSpanLines(anchor: SpanAnchor, old: TextLines, fresh: TextLines, mapping: LineMapping, minEvidence: number): MappedSpan {
  const ranges: OffsetRange[] = [];
  const start = old.offsetAt(anchor.start);
  const end = old.offsetAt(anchor.end);
  if (start === null || end === null || end <= start) return { ranges, whole: false };
  let whole = true;
  for (let line = anchor.start.line, last = old.lineAt(end - 1); line <= last; line++) {
    const target = mapping.oldToNew[line]!;
    if (target < 0 || mapping.evidenceAt(line) < minEvidence) {
      whole = false;
      continue;
    }
    const lineStart = old.starts[line]!;
    const from = fresh.starts[target]! + mapColumn(Math.max(start, lineStart) - lineStart, old, line, fresh, target);
    const to = fresh.starts[target]! + mapColumn(Math.min(end, old.lineEnd(line)) - lineStart, old, line, fresh, target);
    const previous = ranges[ranges.length - 1];
    if (previous && previous.end === from) previous.end = to;
    else ranges.push({ start: from, end: to });
  }
  return { ranges, whole };
}

/** A column of an old line on its new line (same content); columns in the line break follow the new break. */
function mapColumn(column: number, old: TextLines, oldLine: number, fresh: TextLines, newLine: number): number {
  const contentLength = old.contentEnd(oldLine) - old.starts[oldLine]!;
  if (column <= contentLength) return column;
  const oldBreak = old.lineEnd(oldLine) - old.contentEnd(oldLine);
  const newBreak = fresh.lineEnd(newLine) - fresh.contentEnd(newLine);
  return contentLength + (column - contentLength >= oldBreak ? newBreak : Math.min(column - contentLength, newBreak));
}

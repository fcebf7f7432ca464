/**
 * Finds a snapshot's AI spans again in a text that may have changed since (file reopened, changed on
 * disk, switched by git checkout, VS Code restarted). For each span, in order:
 * 1. the whole file is unchanged (same SHA-256)                               -> 'exact';
 * 2. the span's text is still at its old position                             -> 'exact';
 * 3. with the old text (verified against the snapshot's hash), a bounded line diff (lineMatching.ts)
 *    carries every line of the span, in one piece, to a place holding its text -> 'moved';
 * 4. its text is at exactly one place found through its key line (only when the key line was unique
 *    in the old file; this finds moved blocks, which a diff sees as deleted and re-added) -> 'moved';
 * 5. the diff carried some of its lines: those are kept, the changed ones are no longer AI -> 'diff-mapped';
 * 6. otherwise                                                                 -> 'lost' (reported, never drawn).
 * Every placement needs evidence (see spanSearch.ts and lineMatching.ts) of at least MIN_EVIDENCE
 * non-whitespace characters, so a lone "}" never lands on another file's "}". Placements of different
 * spans that overlap are all refused.
 */
import type { AiSpan } from './attributionTracker';
import { normaliseBreaks, sha256Hex } from './hashing';
import { matchLines, type LineMapping } from './lineMatching';
import type { SpanAnchor, TrackingSnapshot } from './snapshot';
import { mapSpanLines } from './spanLineMapping';
import { rangeOfShape, SpanSearch, type OffsetRange, type SpanProbe } from './spanSearch';
import { TextLines } from './textLines';

export type { OffsetRange };
export type AnchorStatus = 'exact' | 'moved' | 'diff-mapped' | 'lost';

export interface AnchorOutcome {
  anchor: SpanAnchor;
  status: AnchorStatus;
  /** Where the span's characters are in the new text; several for 'diff-mapped', none when 'lost'. */
  ranges: OffsetRange[];
}

export interface ReanchorResult {
  outcomes: AnchorOutcome[];
  /** The placed spans, sorted, ready for AttributionTracker.fromText(newText, spans). */
  spans: AiSpan[];
  /** 'unavailable': no old text (or not the snapshot's text); 'partial': the diff ran out of time somewhere. */
  diff: 'not-needed' | 'complete' | 'partial' | 'unavailable';
}

export interface ReanchorOptions {
  /** Time budget of the line diff. Default DEFAULT_DIFF_TIMEOUT_MS. */
  diffTimeoutMs?: number;
}

export const DEFAULT_DIFF_TIMEOUT_MS = 100;
/** Non-whitespace characters of evidence a placement needs. */
export const MIN_EVIDENCE = 16;

/**
 * `oldText` is the text the snapshot was taken of, when the caller still has it (e.g. the open document
 * before an external change); it enables the line diff. Pass null when only the snapshot survived.
 */
export function reanchor(snapshot: TrackingSnapshot, oldText: string | null, newText: string, options: ReanchorOptions = {}): ReanchorResult {
  const fresh = new TextLines(newText);
  if (sha256Hex(newText) === snapshot.textHash) {
    const outcomes = snapshot.anchors.map((anchor): AnchorOutcome => {
      const range = rangeOfShape(fresh, anchor, anchor.start.line);
      return range ? { anchor, status: 'exact', ranges: [range] } : { anchor, status: 'lost', ranges: [] };
    });
    return finish(outcomes, 'not-needed');
  }
  const old = oldText !== null && sha256Hex(oldText) === snapshot.textHash ? new TextLines(oldText) : null;
  const search = new SpanSearch(fresh);
  let mapping: LineMapping | undefined;
  const outcomes = snapshot.anchors.map((anchor): AnchorOutcome => {
    const probe: SpanProbe = { anchor, oldText: old ? oldSpanText(old, anchor) : null };
    const same = search.placeAt(probe, anchor.start.line);
    if (same && same.evidence >= MIN_EVIDENCE) return { anchor, status: 'exact', ranges: [same.range] };
    let survivors: OffsetRange[] = [];
    if (old) {
      mapping ??= matchLines(old, fresh, options.diffTimeoutMs ?? DEFAULT_DIFF_TIMEOUT_MS);
      const mapped = mapSpanLines(anchor, old, fresh, mapping, MIN_EVIDENCE);
      const range = mapped.ranges[0];
      if (mapped.whole && mapped.ranges.length === 1 && search.matches(probe, range!)) {
        const unmoved = same !== null && same.range.start === range!.start && same.range.end === range!.end;
        return { anchor, status: unmoved ? 'exact' : 'moved', ranges: [range!] };
      }
      survivors = mapped.ranges;
    }
    const moved = search.findUnique(probe, MIN_EVIDENCE);
    if (moved) return { anchor, status: 'moved', ranges: [moved] };
    if (survivors.length > 0) return { anchor, status: 'diff-mapped', ranges: survivors };
    return { anchor, status: 'lost', ranges: [] };
  });
  const diff = !old ? 'unavailable' : !mapping ? 'not-needed' : mapping.complete ? 'complete' : 'partial';
  return finish(outcomes, diff);
}

function oldSpanText(old: TextLines, anchor: SpanAnchor): string | null {
  const start = old.offsetAt(anchor.start);
  const end = old.offsetAt(anchor.end);
  return start === null || end === null ? null : normaliseBreaks(old.text.slice(start, end));
}

/** Refuses placements of different spans that overlap, and collects the placed spans. */
function finish(outcomes: AnchorOutcome[], diff: ReanchorResult['diff']): ReanchorResult {
  const placed = outcomes.flatMap((outcome, index) => outcome.ranges.map((range) => ({ range, index })));
  placed.sort((a, b) => a.range.start - b.range.start);
  const conflicting = new Set<number>();
  let reach: { end: number; index: number } | undefined;
  for (const p of placed) {
    if (reach && p.range.start < reach.end && p.index !== reach.index) {
      conflicting.add(p.index);
      conflicting.add(reach.index);
    }
    if (!reach || p.range.end > reach.end) reach = { end: p.range.end, index: p.index };
  }
  for (const index of conflicting) outcomes[index] = { anchor: outcomes[index]!.anchor, status: 'lost', ranges: [] };
  const spans = outcomes
    .flatMap((o) => o.ranges.map((r) => ({ start: r.start, end: r.end, recordId: o.anchor.recordId, modified: o.anchor.modified })))
    .sort((a, b) => a.start - b.start);
  return { outcomes, spans, diff };
}

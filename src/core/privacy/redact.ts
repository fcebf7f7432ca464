/**
 * `redactSecrets`: replaces every secret in a text with `[REDACTED:<kind>]`, keeping the syntax around it
 * (`password = "[REDACTED:password]"`, `postgres://app:[REDACTED:url-password]@db/prod`).
 *
 * How overlaps are settled: every detector reports findings independently; findings that overlap are
 * merged into ONE redaction covering their union (never leaving part of a secret behind), named after
 * the highest-priority detector among them (see detectors.ts). Markers already in the text are never
 * redacted again, which makes the function idempotent.
 *
 * Bounds: each detector is linear in the input (see detector.ts), so the whole scan is linear. Text
 * longer than MAX_REDACT_INPUT is not scanned at all: it is withheld entirely (`withheld: true`, text
 * `[REDACTED:oversize]`), because the only safe alternatives to scanning are dropping or hashing, and
 * un-redacted text is never returned silently. applyPrivacy stores such text as hash-only.
 */
import type { Finding } from './detector';
import { allDetectors } from './detectors';
import { MARKER_PATTERN, markerFor, type SecretKind } from './secretKind';

/** 4 Mi UTF-16 code units (4 MiB of ASCII). Far above any single edit or prompt; a file this large is
 * a generated artifact, and scanning it would cost ~100 ms on the recording path. */
export const MAX_REDACT_INPUT = 4 * 1024 * 1024;

export interface RedactionResult {
  text: string;
  /** How many markers were inserted (merged overlapping findings count once). */
  redactions: number;
  /** The distinct kinds redacted, in order of first appearance. */
  kinds: SecretKind[];
  /** True when the text was over MAX_REDACT_INPUT and replaced entirely by `[REDACTED:oversize]`. */
  withheld: boolean;
}

/** A finding with the index of the detector that made it (lower wins the kind of a merged group). */
interface RankedFinding extends Finding {
  priority: number;
}

const DETECTORS = allDetectors();

export function redactSecrets(text: string): RedactionResult {
  if (text.length > MAX_REDACT_INPUT) {
    return { text: markerFor('oversize'), redactions: 1, kinds: ['oversize'], withheld: true };
  }
  const found: RankedFinding[] = [];
  for (let priority = 0; priority < DETECTORS.length; priority++) {
    const first = found.length;
    DETECTORS[priority]!.find(text, found);
    for (let i = first; i < found.length; i++) found[i]!.priority = priority;
  }
  if (found.length === 0) return { text, redactions: 0, kinds: [], withheld: false };

  const clusters = mergeOverlaps(outsideMarkers(text, found));
  if (clusters.length === 0) return { text, redactions: 0, kinds: [], withheld: false };
  const parts: string[] = [];
  const kinds: SecretKind[] = [];
  let at = 0;
  for (const c of clusters) {
    parts.push(text.slice(at, c.start), markerFor(c.kind));
    if (!kinds.includes(c.kind)) kinds.push(c.kind);
    at = c.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), redactions: clusters.length, kinds, withheld: false };
}

/** Cuts the spans of markers already in the text out of every finding; drops what is left if it has no
 * letter or digit (a stray quote or comma between two markers is not a secret). */
function outsideMarkers(text: string, findings: RankedFinding[]): RankedFinding[] {
  const markers: Array<[number, number]> = [];
  for (const m of text.matchAll(MARKER_PATTERN)) markers.push([m.index, m.index + m[0].length]);
  if (markers.length === 0) return findings;
  const pieces: RankedFinding[] = [];
  const keep = (f: RankedFinding, start: number, end: number) => {
    if (end > start && /[A-Za-z0-9]/.test(text.slice(start, end))) pieces.push({ start, end, kind: f.kind, priority: f.priority });
  };
  for (const f of findings) {
    let i = firstMarkerEndingAfter(markers, f.start);
    let start = f.start;
    for (; i < markers.length && markers[i]![0] < f.end; i++) {
      keep(f, start, markers[i]![0]);
      start = Math.max(start, markers[i]![1]);
    }
    keep(f, start, f.end);
  }
  return pieces;
}

function firstMarkerEndingAfter(markers: Array<[number, number]>, pos: number): number {
  let lo = 0;
  let hi = markers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (markers[mid]![1] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted, non-overlapping redactions: the union of each group of overlapping findings, named by the
 * group's highest-priority (lowest number) finding. Touching findings stay separate. */
function mergeOverlaps(findings: RankedFinding[]): RankedFinding[] {
  findings.sort((a, b) => a.start - b.start || a.priority - b.priority);
  const merged: RankedFinding[] = [];
  for (const f of findings) {
    const last = merged[merged.length - 1];
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      if (f.priority < last.priority) {
        last.priority = f.priority;
        last.kind = f.kind;
      }
    } else {
      merged.push({ start: f.start, end: f.end, kind: f.kind, priority: f.priority });
    }
  }
  return merged;
}

/**
 * Finding known lines again in a committed file. The unit is a RUN: consecutive source lines that appear,
 * consecutively and in order, in the target. Runs are anchored only on lines with a letter or digit (a
 * lone `}` or blank line says nothing about where it came from) and then grown over equal neighbours;
 * overlapping runs are resolved longest first, then nearest to a position hint. This is what lets
 * attribution survive a rebase, squash or cherry-pick: the text is the same, only its place moved.
 */
import { isTrivialLine, normaliseLine } from './lineHashes';

export interface Run {
  /** First source index, first target index (0-based), length in lines. */
  source: number;
  target: number;
  length: number;
}

/**
 * Runs of `source` found in `target` (both already reduced to comparison keys: normalised text or line
 * hashes). `anchor[i]` says whether source line i may anchor a run (not trivial). Runs never overlap in
 * the source or in the target.
 */
export function matchRuns(source: readonly string[], target: readonly string[], anchor: readonly boolean[], hint = 0): Run[] {
  const positions = new Map<string, number[]>();
  target.forEach((key, j) => {
    const list = positions.get(key);
    if (list) list.push(j);
    else positions.set(key, [j]);
  });
  const seen = new Set<string>();
  const runs: Run[] = [];
  for (let i = 0; i < source.length; i++) {
    if (!anchor[i]) continue;
    for (const j of positions.get(source[i]!) ?? []) {
      let s = i;
      let t = j;
      while (s > 0 && t > 0 && source[s - 1] === target[t - 1]) {
        s--;
        t--;
      }
      const id = `${s}:${t}`;
      if (seen.has(id)) continue;
      seen.add(id);
      let length = 0;
      while (s + length < source.length && t + length < target.length && source[s + length] === target[t + length]) length++;
      runs.push({ source: s, target: t, length });
    }
  }
  runs.sort((a, b) => b.length - a.length || Math.abs(a.target - hint) - Math.abs(b.target - hint));
  const takenSource = new Uint8Array(source.length);
  const takenTarget = new Set<number>();
  const chosen: Run[] = [];
  for (const run of runs) {
    // Keep the part of a run that is still free (a longer run may have claimed its ends).
    let start = 0;
    while (start < run.length && (takenSource[run.source + start] || takenTarget.has(run.target + start))) start++;
    let end = start;
    while (end < run.length && !takenSource[run.source + end] && !takenTarget.has(run.target + end)) end++;
    if (end === start) continue;
    const piece = { source: run.source + start, target: run.target + start, length: end - start };
    let anchored = false;
    for (let k = 0; k < piece.length; k++) anchored ||= anchor[piece.source + k]!;
    if (!anchored) continue;
    for (let k = 0; k < piece.length; k++) {
      takenSource[piece.source + k] = 1;
      takenTarget.add(piece.target + k);
    }
    chosen.push(piece);
  }
  return chosen.sort((a, b) => a.target - b.target);
}

/**
 * The 0-based target lines that hold the text an edit inserted. `startsMidLine`: the insertion began
 * after other text on its line, so its first piece is matched as a line ending; a last piece not ended
 * by a newline is matched as a line beginning; whole lines in between must match exactly (up to
 * trailing whitespace). A one-line insertion inside a line is found by containment, nearest the hint.
 */
export function matchInsertedText(inserted: string, startsMidLine: boolean, target: readonly string[], hint = 0): number[] {
  const pieces = inserted.split('\n');
  const firstPartial = startsMidLine;
  const lastPartial = pieces[pieces.length - 1] !== '';
  if (!lastPartial) pieces.pop();
  if (pieces.length === 0) return [];
  const norm = target.map(normaliseLine);
  if (pieces.length === 1) return firstPartial || lastPartial ? nearest(containing(norm, pieces[0]!), hint) : wholeLines(pieces, norm, hint, false, false);
  return wholeLines(pieces, norm, hint, firstPartial, lastPartial);
}

function wholeLines(pieces: string[], norm: string[], hint: number, firstPartial: boolean, lastPartial: boolean): number[] {
  const from = firstPartial ? 1 : 0;
  const to = lastPartial ? pieces.length - 1 : pieces.length;
  const full = pieces.slice(from, to).map(normaliseLine);
  const lines = new Set<number>();
  if (full.length === 0) {
    // Two partial pieces: the end of one line and the start of the next.
    const first = normaliseLine(pieces[0]!);
    const last = normaliseLine(pieces[1]!);
    const pairs: number[] = [];
    for (let t = 0; t + 1 < norm.length; t++) if (first.trim() && norm[t]!.endsWith(first) && norm[t + 1]!.startsWith(last)) pairs.push(t);
    const t = nearest(pairs, hint)[0];
    return t === undefined ? [] : [t, t + 1];
  }
  for (const run of matchRuns(full, norm, full.map((l) => !isTrivialLine(l)), hint)) {
    for (let k = 0; k < run.length; k++) lines.add(run.target + k);
    // Grow over the partial pieces at the run's ends when the neighbouring target lines hold them.
    const before = run.target - 1;
    if (firstPartial && run.source === 0 && before >= 0 && !lines.has(before)) {
      const piece = normaliseLine(pieces[0]!);
      if (piece.trim() && norm[before]!.endsWith(piece)) lines.add(before);
    }
    const after = run.target + run.length;
    if (lastPartial && run.source + run.length === full.length && after < norm.length) {
      const piece = pieces[pieces.length - 1]!;
      if (piece.trim() && norm[after]!.startsWith(normaliseLine(piece))) lines.add(after);
    }
  }
  return [...lines].sort((a, b) => a - b);
}

function containing(norm: readonly string[], piece: string): number[] {
  const needle = piece.trim();
  // Too little text to say where it went (a bracket, one letter): attribute nothing rather than guess.
  if ((needle.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < 3) return [];
  const hits: number[] = [];
  norm.forEach((line, t) => {
    if (line.includes(needle)) hits.push(t);
  });
  return hits;
}

function nearest(candidates: number[], hint: number): number[] {
  if (candidates.length === 0) return [];
  return [candidates.reduce((best, t) => (Math.abs(t - hint) < Math.abs(best - hint) ? t : best))];
}

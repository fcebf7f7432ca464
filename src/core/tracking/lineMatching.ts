/**
 * A bounded line diff: which old lines survive unchanged in the new text, and where.
 *
 * Why not jsdiff's diffLines on the whole file: Myers' algorithm costs O((N+M)·D); on a 10,000-line
 * file with 5% of its lines rewritten it took 70-400 ms here, over the whole re-anchoring budget. So:
 * 1. the common prefix and suffix map directly;
 * 2. lines that occur exactly once in the old middle and once in the new middle are matched, and the
 *    longest increasing subsequence of those matches (by new position) is kept: a monotone skeleton,
 *    O(n log n) (the "patience" idea);
 * 3. each skeleton match is extended to equal neighbours, forwards then backwards;
 * 4. what remains between skeleton matches is small; jsdiff's diffArrays maps it, with the remaining
 *    time as its `timeout`. A gap that runs out of time stays unmapped (mapping.complete = false):
 *    unmapped lines are reported lost by re-anchoring, never guessed.
 * Lines are compared by their 53-bit keys (hashing.ts), and every match is confirmed character by
 * character, so a key collision can only lose a match, never make a wrong one.
 * Each mapped line also gets its "evidence": the non-whitespace size of the unbroken run of mapped lines
 * (old i -> new j, i+1 -> j+1, ...) it sits in, so that a lone "}" matching between two unrelated files
 * is not taken as proof that a span survived.
 */
import { diffArrays } from 'diff';
import { NumberTable } from './numberTable';
import type { TextLines } from './textLines';

export interface LineMapping {
  /** For each old line, the new line with the same content, or -1. */
  oldToNew: Int32Array;
  /** The non-whitespace characters of the run of mapped lines (old i -> new j, i+1 -> j+1, ...) around an old line; 0 if unmapped. */
  evidenceAt(line: number): number;
  /** False when time ran out and some gaps were left unmapped. */
  complete: boolean;
}

/** Maps the lines of `old` to lines of `fresh` with the same content (line breaks not compared). */
export function matchLines(old: TextLines, fresh: TextLines, timeoutMs: number): LineMapping {
  const deadline = performance.now() + timeoutMs;
  const oldKeys = old.keys();
  const newKeys = fresh.keys();
  const same = (o: number, n: number) => oldKeys[o] === newKeys[n] && old.sameContent(o, fresh, n);
  const oldToNew = new Int32Array(old.count).fill(-1);
  const link = (o: number, n: number) => void (oldToNew[o] = n);

  let prefix = 0;
  const maxCommon = Math.min(old.count, fresh.count);
  while (prefix < maxCommon && same(prefix, prefix)) link(prefix, prefix++);
  let suffix = 0;
  while (suffix < maxCommon - prefix && same(old.count - 1 - suffix, fresh.count - 1 - suffix)) {
    link(old.count - 1 - suffix, fresh.count - 1 - suffix);
    suffix++;
  }

  const middle = uniqueSkeleton(oldKeys, newKeys, prefix, suffix).filter((p) => same(p.o, p.n));
  const skeleton = [{ o: prefix - 1, n: prefix - 1 }, ...middle, { o: old.count - suffix, n: fresh.count - suffix }];
  let complete = true;
  for (let k = 0; k + 1 < skeleton.length; k++) {
    const a = skeleton[k]!;
    const b = skeleton[k + 1]!;
    if (k > 0) link(a.o, a.n);
    let o0 = a.o + 1;
    let n0 = a.n + 1;
    while (o0 < b.o && n0 < b.n && same(o0, n0)) link(o0++, n0++);
    let o1 = b.o - 1;
    let n1 = b.n - 1;
    while (o1 >= o0 && n1 >= n0 && same(o1, n1)) link(o1--, n1--);
    if (o1 < o0 || n1 < n0 || !shareAKey(oldKeys, o0, o1, newKeys, n0, n1)) continue;
    const left = deadline - performance.now();
    const changes = left > 0 ? diffArrays(Array.from(oldKeys.subarray(o0, o1 + 1)), Array.from(newKeys.subarray(n0, n1 + 1)), { timeout: left }) : undefined;
    if (!changes) {
      complete = false;
      continue;
    }
    let o = o0;
    let n = n0;
    for (const change of changes) {
      if (change.added) n += change.count;
      else if (change.removed) o += change.count;
      else for (let i = 0; i < change.count; i++, o++, n++) if (same(o, n)) link(o, n);
    }
  }
  const evidence = new RunEvidence(old, oldToNew);
  return { oldToNew, evidenceAt: (line) => evidence.at(line), complete };
}

/** Matches of lines unique in both middles, reduced to their longest run increasing in both texts. */
function uniqueSkeleton(oldKeys: Float64Array, newKeys: Float64Array, prefix: number, suffix: number): { o: number; n: number }[] {
  const oldAt = uniquePositions(oldKeys, prefix, oldKeys.length - suffix);
  const newAt = uniquePositions(newKeys, prefix, newKeys.length - suffix);
  const pairs: { o: number; n: number }[] = [];
  for (let n = prefix; n < newKeys.length - suffix; n++) {
    if (newAt.get(newKeys[n]!, -1) !== n) continue; // repeated in the new text
    const o = oldAt.get(newKeys[n]!, -1);
    if (o >= 0) pairs.push({ o, n });
  }
  return longestIncreasing(pairs);
}

/** For each key in keys[from, to): its position, or -1 when it occurs more than once. */
function uniquePositions(keys: Float64Array, from: number, to: number): NumberTable {
  const at = new NumberTable(to - from);
  for (let i = from; i < to; i++) at.set(keys[i]!, at.get(keys[i]!, -2) === -2 ? i : -1);
  return at;
}

/** The longest subsequence of `pairs` (sorted by n) whose o increases, in O(k log k). */
function longestIncreasing(pairs: readonly { o: number; n: number }[]): { o: number; n: number }[] {
  const tails: number[] = []; // tails[len - 1]: index of the smallest tail of an increasing run of length len
  const previous = new Int32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const o = pairs[i]!.o;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]!.o < o) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const out: { o: number; n: number }[] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) out.push(pairs[i]!);
  return out.reverse();
}

function shareAKey(oldKeys: Float64Array, o0: number, o1: number, newKeys: Float64Array, n0: number, n1: number): boolean {
  const olds = new NumberTable(o1 - o0 + 1);
  for (let o = o0; o <= o1; o++) olds.set(oldKeys[o]!, 1);
  for (let n = n0; n <= n1; n++) if (olds.get(newKeys[n]!, 0) === 1) return true;
  return false;
}

/** Evidence per old line, computed per run of mapped lines the first time a line of the run is asked about. */
class RunEvidence {
  private readonly cache: Int32Array;

  constructor(
    private readonly old: TextLines,
    private readonly oldToNew: Int32Array,
  ) {
    this.cache = new Int32Array(old.count).fill(-1);
  }

  at(line: number): number {
    const map = this.oldToNew;
    if (map[line]! < 0) return 0;
    if (this.cache[line]! >= 0) return this.cache[line]!;
    let first = line;
    while (first > 0 && map[first - 1]! >= 0 && map[first]! === map[first - 1]! + 1) first--;
    let end = line + 1;
    while (end < map.length && map[end]! >= 0 && map[end]! === map[end - 1]! + 1) end++;
    let weight = 0;
    for (let o = first; o < end; o++) weight += this.old.nonWhitespace(o);
    this.cache.fill(weight, first, end);
    return weight;
  }
}

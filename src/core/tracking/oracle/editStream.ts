/**
 * Seeded random editing sessions for the tracking tests and benchmark: typing, backspacing, deleting
 * and replacing selections, pasting, multi-cursor edits, and AI insertions and rewrites from a few
 * records. A third of the positions are picked at AI span boundaries, where off-by-one bugs live.
 */
import type { ChangeOrigin, TextChange } from '../attributionTracker';
import type { CharacterModel } from './characterModel';

export interface EditStep {
  changes: TextChange[];
  origin: ChangeOrigin;
}

export interface EditStreamOptions {
  /** Above this many characters, the next step deletes a large part of the document. */
  maxLength: number;
  /** AI record ids are r0 .. r(records-1). */
  records: number;
}

/** A small seeded PRNG (xorshift32), so a failing stream can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

const HUMAN_CHARS = 'abcdefxyz   ()=;\t\n';
const WORDS = ['const', 'x', '=', 'foo(bar);', 'return', 'if', '(y)', '{', '}', 'await', 'items.map(f)', '//', 'note'];

export function nextEditStep(random: () => number, model: CharacterModel, options: EditStreamOptions): EditStep {
  const int = (n: number) => Math.floor(random() * n);
  const len = model.text.length;
  const record = (): ChangeOrigin => ({ ai: `r${int(options.records)}` });
  const position = () => pickPosition(random, model);
  const rangeAt = (start: number, maxLength: number) => ({ offset: start, length: Math.min(len - start, int(maxLength + 1)) });

  if (len > options.maxLength) {
    const start = int(len / 2);
    return { changes: [{ offset: start, length: Math.min(len - start, int(len / 2) + 1), text: '' }], origin: 'human' };
  }
  const r = random();
  if (r < 0.3) return { changes: [{ offset: position(), length: 0, text: humanText(random, 1) }], origin: 'human' };
  if (r < 0.4) {
    const end = position();
    const count = Math.min(end, 1 + int(3));
    return { changes: [{ offset: end - count, length: count, text: '' }], origin: 'human' };
  }
  if (r < 0.47) return { changes: [{ ...rangeAt(position(), 80), text: '' }], origin: 'human' };
  if (r < 0.55) return { changes: [{ ...rangeAt(position(), 20), text: humanText(random, 1 + int(10)) }], origin: 'human' };
  if (r < 0.6) return { changes: [{ offset: position(), length: 0, text: humanText(random, 20 + int(60)) }], origin: 'human' };
  if (r < 0.75) return { changes: [{ offset: position(), length: 0, text: aiText(random) }], origin: record() };
  if (r < 0.82) return { changes: [{ ...rangeAt(position(), 60), text: aiText(random) }], origin: record() };
  if (r < 0.95) {
    const ai = r >= 0.9;
    return { changes: multiCursor(random, model, ai), origin: ai ? record() : 'human' };
  }
  return { changes: [deleteLines(random, model)], origin: 'human' };
}

/** Uniform, or (a third of the time) at a boundary between origins. */
function pickPosition(random: () => number, model: CharacterModel): number {
  const len = model.text.length;
  if (random() < 2 / 3 || len === 0) return Math.floor(random() * (len + 1));
  const boundaries = [0, len];
  for (let i = 1; i < len; i++) if (model.origins[i - 1] !== model.origins[i]) boundaries.push(i);
  return boundaries[Math.floor(random() * boundaries.length)]!;
}

function humanText(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += random() < 0.03 ? '\r\n' : HUMAN_CHARS[Math.floor(random() * HUMAN_CHARS.length)];
  return out;
}

/** A completion: a fragment within a line, or a block of indented lines (ending with or without a break). */
function aiText(random: () => number): string {
  const int = (n: number) => Math.floor(random() * n);
  const words = (n: number) => Array.from({ length: n }, () => WORDS[int(WORDS.length)]).join(' ');
  if (random() < 0.3) return words(1 + int(4));
  const lines = Array.from({ length: 1 + int(12) }, () => (random() < 0.15 ? '' : ' '.repeat(2 * int(4)) + words(1 + int(6))));
  return lines.join('\n') + (random() < 0.7 ? '\n' : '');
}

/** 2..4 non-overlapping small edits, in VS Code's order (descending offsets). */
function multiCursor(random: () => number, model: CharacterModel, ai: boolean): TextChange[] {
  const len = model.text.length;
  const count = 2 + Math.floor(random() * 3);
  const points = [...new Set(Array.from({ length: count }, () => pickPosition(random, model)))].sort((a, b) => a - b);
  const changes = points.map((offset, i) => {
    const room = (i + 1 < points.length ? points[i + 1]! : len) - offset;
    const length = Math.min(room, Math.floor(random() * 3));
    return { offset, length, text: ai ? aiText(random) : random() < 0.5 ? '' : humanText(random, 1 + Math.floor(random() * 3)) };
  });
  return changes.reverse();
}

/** Deletes one to three whole lines (as "delete line" does). */
function deleteLines(random: () => number, model: CharacterModel): TextChange {
  const starts = model.lineStarts();
  const first = Math.floor(random() * starts.length);
  const last = Math.min(starts.length - 1, first + Math.floor(random() * 3));
  const start = starts[first]!;
  const end = last + 1 < starts.length ? starts[last + 1]! : model.text.length;
  return { offset: start, length: end - start, text: '' };
}

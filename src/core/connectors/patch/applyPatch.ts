/**
 * The `*** Begin Patch` format Codex (and Cursor's and Copilot's apply_patch tools) write edits in:
 *
 *   *** Begin Patch
 *   *** Add File: path        then '+' lines: the whole new file
 *   *** Delete File: path
 *   *** Update File: path     optionally '*** Move to: new path', then chunks: '@@ [anchor line]' followed
 *                             by ' ' context, '-' removed and '+' added lines, optionally '*** End of File'
 *   *** End Patch
 *
 * Parsing never throws anything but PatchParseError; applying never throws anything but PatchApplyError.
 * Applying finds each chunk's old lines the way the format intends: after the previous chunk (and after
 * the anchor line, when given), exactly first, then ignoring trailing, then surrounding whitespace.
 */
import { type ChangeBlock } from '../lineBlocks';

export interface PatchLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface PatchChunk {
  /** The text after '@@', a line to find before the chunk's lines (narrows where the chunk applies). */
  anchor?: string;
  lines: PatchLine[];
  /** '*** End of File': the chunk's lines end at the end of the file. */
  endOfFile: boolean;
}

export type PatchOperation =
  | { type: 'add'; path: string; content: string }
  | { type: 'delete'; path: string }
  | { type: 'update'; path: string; moveTo?: string; chunks: PatchChunk[] };

export class PatchParseError extends Error {
  constructor(
    message: string,
    /** 1-based line of the patch text where the problem is. */
    readonly line: number,
  ) {
    super(`malformed patch (line ${line}): ${message}`);
    this.name = 'PatchParseError';
  }
}

export class PatchApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchApplyError';
  }
}

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const EOF_MARK = '*** End of File';

/** True when the text holds a `*** Begin Patch` patch (possibly wrapped, e.g. in a shell heredoc). */
export function looksLikeCodexPatch(text: unknown): text is string {
  return typeof text === 'string' && text.includes(BEGIN);
}

export function parseCodexPatch(text: string): PatchOperation[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const begin = lines.findIndex((l) => l.trim() === BEGIN);
  if (begin < 0) throw new PatchParseError(`no '${BEGIN}' line`, 1);
  const ops: PatchOperation[] = [];
  let i = begin + 1;
  let ended = false;
  while (i < lines.length) {
    const line = lines[i];
    const n = i + 1;
    if (line.trim() === END) {
      ended = true;
      break;
    }
    if (line.startsWith(ADD)) {
      const path = requirePath(line.slice(ADD.length), n);
      const content: string[] = [];
      i++;
      while (i < lines.length && !isHeader(lines[i])) {
        if (!lines[i].startsWith('+')) throw new PatchParseError(`a line of added file ${path} does not start with '+'`, i + 1);
        content.push(lines[i].slice(1));
        i++;
      }
      ops.push({ type: 'add', path, content: content.length ? content.join('\n') + '\n' : '' });
      continue;
    }
    if (line.startsWith(DELETE)) {
      ops.push({ type: 'delete', path: requirePath(line.slice(DELETE.length), n) });
      i++;
      continue;
    }
    if (line.startsWith(UPDATE)) {
      const path = requirePath(line.slice(UPDATE.length), n);
      i++;
      let moveTo: string | undefined;
      if (i < lines.length && lines[i].startsWith(MOVE)) {
        moveTo = requirePath(lines[i].slice(MOVE.length), i + 1);
        i++;
      }
      const chunks: PatchChunk[] = [];
      let current: PatchChunk | undefined;
      while (i < lines.length && !isHeader(lines[i])) {
        const l = lines[i];
        if (l.startsWith('@@')) {
          const anchor = l.slice(2).trim();
          current = { lines: [], endOfFile: false, ...(anchor ? { anchor } : {}) };
          chunks.push(current);
        } else if (l.trim() === EOF_MARK) {
          if (current) current.endOfFile = true;
        } else {
          // The first chunk may omit its '@@' line.
          if (!current) {
            current = { lines: [], endOfFile: false };
            chunks.push(current);
          }
          const op = l.charAt(0);
          if (op === ' ' || op === '-' || op === '+') current.lines.push({ op, text: l.slice(1) });
          else if (l === '') current.lines.push({ op: ' ', text: '' });
          else throw new PatchParseError(`a line in the update of ${path} is not context (' '), removal ('-') or addition ('+')`, i + 1);
        }
        i++;
      }
      const nonEmpty = chunks.filter((c) => c.lines.length > 0);
      if (nonEmpty.length === 0 && !moveTo) throw new PatchParseError(`the update of ${path} has no changes`, n);
      ops.push({ type: 'update', path, ...(moveTo ? { moveTo } : {}), chunks: nonEmpty });
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    throw new PatchParseError(`expected a file operation ('*** Add File:', '*** Update File:', '*** Delete File:') or '${END}'`, n);
  }
  if (!ended) throw new PatchParseError(`no '${END}' line`, lines.length);
  return ops;
}

function isHeader(line: string): boolean {
  return line.startsWith(ADD) || line.startsWith(DELETE) || line.startsWith(UPDATE) || line.trim() === END;
}

function requirePath(raw: string, line: number): string {
  const path = raw.trim();
  if (path === '') throw new PatchParseError('a file operation names no path', line);
  return path;
}

export interface AppliedUpdate {
  newText: string;
  /** The changed lines, positioned in the old and the new file. */
  blocks: ChangeBlock[];
}

/** Applies an update's chunks to the file's text (as it was before the patch). */
export function applyPatchChunks(original: string, chunks: readonly PatchChunk[], path = 'the file'): AppliedUpdate {
  const fileLines = original === '' ? [] : original.replace(/\r\n/g, '\n').split('\n');
  if (original.endsWith('\n')) fileLines.pop();
  const replacements: { at: number; oldCount: number; chunk: PatchChunk }[] = [];
  let cursor = 0;
  for (const [c, chunk] of chunks.entries()) {
    if (chunk.anchor !== undefined) {
      const anchorAt = seek(fileLines, [chunk.anchor], cursor, false);
      if (anchorAt < 0) throw new PatchApplyError(`chunk ${c + 1} of the patch to ${path}: its '@@' line is not in the file`);
      cursor = anchorAt + 1;
    }
    const oldLines = chunk.lines.filter((l) => l.op !== '+').map((l) => l.text);
    let at: number;
    if (oldLines.length === 0) {
      // A pure insertion goes at the end of the file, or right after the anchor.
      at = chunk.anchor !== undefined && !chunk.endOfFile ? cursor : fileLines.length;
    } else {
      at = seek(fileLines, oldLines, cursor, chunk.endOfFile);
      if (at < 0) throw new PatchApplyError(`chunk ${c + 1} of the patch to ${path} does not match the file`);
    }
    replacements.push({ at, oldCount: oldLines.length, chunk });
    cursor = at + oldLines.length;
  }
  const out: string[] = [];
  const blocks: ChangeBlock[] = [];
  let from = 0;
  for (const r of replacements) {
    out.push(...fileLines.slice(from, r.at));
    let oldPos = r.at;
    let current: ChangeBlock | undefined;
    const close = () => {
      if (current) blocks.push(current);
      current = undefined;
    };
    for (const l of r.chunk.lines) {
      if (l.op === ' ') {
        close();
        out.push(fileLines[oldPos]);
        oldPos++;
        continue;
      }
      current ??= { oldStart: oldPos, newStart: out.length, removedLines: 0, addedLines: 0, removedText: '', addedText: '' };
      if (l.op === '-') {
        current.removedLines++;
        current.removedText += fileLines[oldPos] + '\n';
        oldPos++;
      } else {
        current.addedLines++;
        current.addedText += l.text + '\n';
        out.push(l.text);
      }
    }
    close();
    from = r.at + r.oldCount;
  }
  out.push(...fileLines.slice(from));
  // Patched files end with a line break (as the format's applier writes them).
  return { newText: out.length ? out.join('\n') + '\n' : '', blocks };
}

/** Where `needle` occurs in `lines` at or after `from`: exact, then ignoring trailing, then all surrounding whitespace. */
function seek(lines: readonly string[], needle: readonly string[], from: number, atEnd: boolean): number {
  const normalisers: ((s: string) => string)[] = [(s) => s, (s) => s.trimEnd(), (s) => s.trim()];
  for (const norm of normalisers) {
    const want = needle.map(norm);
    const matchesAt = (i: number) => want.every((w, k) => norm(lines[i + k]) === w);
    if (atEnd) {
      const i = lines.length - needle.length;
      if (i >= from && matchesAt(i)) return i;
    }
    for (let i = from; i + needle.length <= lines.length; i++) if (matchesAt(i)) return i;
  }
  return -1;
}

/** The paths a patch touches (for PreToolUse events), the destination of a move included. */
export function pathsOfPatch(ops: readonly PatchOperation[]): string[] {
  const paths: string[] = [];
  for (const op of ops) {
    if (!paths.includes(op.path)) paths.push(op.path);
    if (op.type === 'update' && op.moveTo && !paths.includes(op.moveTo)) paths.push(op.moveTo);
  }
  return paths;
}

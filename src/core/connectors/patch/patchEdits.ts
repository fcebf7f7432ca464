/**
 * Edit parts from patches: a `*** Begin Patch` patch (exact ranges when the file's old text is at hand,
 * else the changed lines without position), a jsdiff structured patch, or a unified diff text.
 */
import { parsePatch } from 'diff';
import { type EditPart, partsFromBlocks, wholeFilePart } from '../editBuilder';
import { blocksFromHunks, HunkError, type HunkLike } from '../lineBlocks';
import { applyPatchChunks, PatchApplyError, type PatchChunk, type PatchOperation } from './applyPatch';

export interface PatchParts {
  parts: EditPart[];
  warnings: string[];
}

/**
 * Parts for each operation of a patch. `oldTextOf(path)` may return the file's text before the patch:
 * then ranges are exact; without it (or when the patch does not apply to it) the changed lines are
 * recorded without position. Deleted files produce no part: no line of theirs remains to attribute.
 */
export function partsFromPatch(ops: readonly PatchOperation[], oldTextOf?: (path: string) => string | undefined): PatchParts {
  const parts: EditPart[] = [];
  const warnings: string[] = [];
  for (const op of ops) {
    if (op.type === 'delete') continue;
    if (op.type === 'add') {
      parts.push(wholeFilePart(op.path, op.content));
      continue;
    }
    const target = op.moveTo ?? op.path;
    const original = oldTextOf?.(op.path);
    if (original !== undefined) {
      try {
        parts.push(...partsFromBlocks(target, applyPatchChunks(original, op.chunks, op.path).blocks));
        continue;
      } catch (err) {
        if (!(err instanceof PatchApplyError)) throw err;
        warnings.push(`${err.message}; its changes are recorded without line positions`);
      }
    }
    parts.push(...unplacedChunkParts(target, op.chunks));
  }
  return { parts, warnings };
}

/** The removed and added lines of each run of changes in the chunks, without file positions. */
function unplacedChunkParts(path: string, chunks: readonly PatchChunk[]): EditPart[] {
  const parts: EditPart[] = [];
  for (const chunk of chunks) {
    let current: EditPart | undefined;
    for (const l of chunk.lines) {
      if (l.op === ' ') {
        if (current) parts.push(current);
        current = undefined;
        continue;
      }
      current ??= { filePath: path, oldText: '', newText: '' };
      if (l.op === '-') current.oldText += l.text + '\n';
      else current.newText += l.text + '\n';
    }
    if (current) parts.push(current);
  }
  return parts;
}

/** Parts with exact ranges from jsdiff-like hunks (Claude Code's structuredPatch, Cursor's diff chunks). */
export function partsFromStructuredPatch(path: string, hunks: readonly HunkLike[]): EditPart[] {
  return partsFromBlocks(path, blocksFromHunks(hunks));
}

/** The hunks of a unified diff text (`@@ -a,b +c,d @@` sections); an empty list when it has none. Throws HunkError. */
export function hunksOfUnifiedDiff(diffText: string): HunkLike[] {
  const text = /^(---|\+\+\+|@@)/m.test(diffText) ? diffText : '';
  if (text === '') return [];
  try {
    return parsePatch(text).flatMap((p) => p.hunks);
  } catch {
    // jsdiff's message quotes the offending line (code): say only that the diff is malformed.
    throw new HunkError('malformed unified diff');
  }
}

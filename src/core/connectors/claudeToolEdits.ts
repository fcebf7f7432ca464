/**
 * Claude Code's edit tools, read the same way from a PostToolUse hook (`tool_input` + `tool_response`) and
 * from a transcript (the assistant's `tool_use` input + the user line's `toolUseResult`):
 *   Edit {file_path, old_string, new_string, replace_all?}, MultiEdit {file_path, edits[]},
 *   Write {file_path, content}, NotebookEdit {notebook_path, new_source, edit_mode?}.
 * The result carries `structuredPatch` (jsdiff hunks: exact line ranges) and `originalFile`; without them
 * the ranges are computed from the original text when known, else the edit has no position.
 */
import { z } from 'zod';
import { type EditPart, wholeFilePart, partsFromBlocks } from './editBuilder';
import { lenientArray, optBoolean, optString, readLenient } from './lenient';
import { blocksFromTexts, HunkError } from './lineBlocks';
import { partsFromStructuredPatch } from './patch/patchEdits';

export const CLAUDE_EDIT_TOOLS: ReadonlySet<string> = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

const StringEdit = z.looseObject({ old_string: z.string(), new_string: z.string(), replace_all: optBoolean });
const ToolInput = z.looseObject({
  file_path: optString,
  notebook_path: optString,
  old_string: optString,
  new_string: optString,
  replace_all: optBoolean,
  content: optString,
  edits: lenientArray(StringEdit),
  new_source: optString,
  edit_mode: optString,
  cell_id: optString,
});
const Hunk = z.looseObject({
  oldStart: z.number().int(),
  oldLines: z.number().int().optional(),
  newStart: z.number().int(),
  newLines: z.number().int().optional(),
  lines: z.array(z.string()),
});
const ToolResult = z.looseObject({
  type: optString,
  filePath: optString,
  content: optString,
  originalFile: z.string().nullable().optional().catch(undefined),
  originalFileContents: optString,
  structuredPatch: lenientArray(Hunk),
  userModified: optBoolean,
});

export interface ClaudeEditParts {
  parts: EditPart[];
  warnings: string[];
  /** The user changed the proposed edit before accepting it (Claude Code's `userModified`). */
  userModified: boolean;
}

/** The paths an edit tool will touch, from its input (for PreToolUse). */
export function claudeEditPaths(input: unknown): string[] {
  const i = readLenient(ToolInput, input);
  const p = i?.file_path ?? i?.notebook_path;
  return p ? [p] : [];
}

/**
 * Parts of one edit tool use. `result` is the tool's response/toolUseResult when the edit ran (undefined when
 * it was rejected or has no result yet: then the parts come from the input alone).
 */
export function claudeEditParts(toolName: string, input: unknown, result: unknown): ClaudeEditParts {
  const out: ClaudeEditParts = { parts: [], warnings: [], userModified: false };
  const i = readLenient(ToolInput, input) ?? ToolInput.parse({});
  const r = readLenient(ToolResult, typeof result === 'object' && result !== null ? result : undefined);
  out.userModified = r?.userModified === true;
  if (toolName === 'NotebookEdit') {
    const p = i.notebook_path ?? i.file_path;
    // A notebook is JSON on disk: a cell's lines have no stable line range in the file.
    if (p && i.edit_mode !== 'delete' && i.new_source !== undefined) out.parts.push({ filePath: p, newText: i.new_source });
    return out;
  }
  const filePath = r?.filePath ?? i.file_path;
  if (!filePath) {
    out.warnings.push(`${toolName} tool use names no file: skipped`);
    return out;
  }
  if (r?.structuredPatch && r.structuredPatch.length > 0) {
    try {
      out.parts = partsFromStructuredPatch(filePath, r.structuredPatch);
      return out;
    } catch (err) {
      if (!(err instanceof HunkError)) throw err;
      out.warnings.push(`${toolName} result has a malformed structuredPatch (${err.message}): ranges computed otherwise`);
    }
  }
  if (toolName === 'Write') {
    const content = r?.content ?? i.content;
    if (content === undefined) {
      out.warnings.push('Write tool use has no content: skipped');
      return out;
    }
    const original = r?.originalFile ?? undefined;
    // A created file is all new; an overwritten one changed where it differs from the original.
    out.parts = original ? partsFromBlocks(filePath, blocksFromTexts(original, content)) : [wholeFilePart(filePath, content)];
    return out;
  }
  const edits =
    toolName === 'MultiEdit'
      ? (i.edits ?? [])
      : i.old_string !== undefined && i.new_string !== undefined
        ? [{ old_string: i.old_string, new_string: i.new_string, replace_all: i.replace_all }]
        : [];
  if (edits.length === 0) {
    out.warnings.push(`${toolName} tool use has no old/new strings: skipped`);
    return out;
  }
  const original = r?.originalFile ?? r?.originalFileContents ?? undefined;
  if (original !== undefined && original !== null) {
    const updated = applyStringEdits(original, edits);
    if (updated !== undefined) {
      out.parts = partsFromBlocks(filePath, blocksFromTexts(original, updated));
      return out;
    }
  }
  out.parts = edits.map((e) => ({ filePath, oldText: e.old_string, newText: e.new_string }));
  return out;
}

/** The text after the edits, or undefined when an old string is not in the text (the result is then unknown). */
function applyStringEdits(text: string, edits: readonly { old_string: string; new_string: string; replace_all?: boolean }[]): string | undefined {
  let t = text;
  for (const e of edits) {
    if (e.old_string === '') {
      // An empty old string means "the whole (empty) file" for a new file.
      if (t !== '') return undefined;
      t = e.new_string;
      continue;
    }
    const at = t.indexOf(e.old_string);
    if (at < 0) return undefined;
    t = e.replace_all ? t.split(e.old_string).join(e.new_string) : t.slice(0, at) + e.new_string + t.slice(at + e.old_string.length);
  }
  return t;
}

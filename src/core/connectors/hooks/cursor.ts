/**
 * Cursor hook payloads: common fields `conversation_id, generation_id, model, hook_event_name,
 * cursor_version, workspace_roots[], user_email, transcript_path` (user_email is never read);
 *   beforeSubmitPrompt {prompt, attachments}
 *   afterFileEdit {file_path, edits[{old_string, new_string}]}              (agent edits, no positions)
 *   afterTabFileEdit {file_path, edits[{old_string, new_string, range{start_line_number, start_column,
 *                     end_line_number, end_column}, old_line, new_line}]}  (Tab completions, 1-based)
 *   preToolUse / postToolUse {tool_name, tool_input, tool_output?, tool_use_id, cwd}
 *     with edit tools Write {file_path|path, contents|content}, StrReplace {path, old_string, new_string},
 *     ApplyPatch (a `*** Begin Patch` text), Delete.
 * afterFileEdit and postToolUse report the same agent edit: install one of them (hooksConfig installs
 * afterFileEdit), or the edit is recorded twice under different ids.
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { firstString, lenientArray, objectOrJson, optNumber, optString, readLenient } from '../lenient';
import { modelFromName } from '../modelRef';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError, pathsOfPatch } from '../patch/applyPatch';
import { partsFromPatch } from '../patch/patchEdits';
import { contentDigest } from '../stableId';
import { fileUriToPath } from '../toRecords';
import type { HookParseOptions, HookParseResult } from '../types';
import { emptyResult, eventTime, preEditEvent, promptEvent, unknownEvent, unusablePayload } from './hookCommon';

const TOOL = 'cursor';

const TabRange = z.looseObject({ start_line_number: z.number(), start_column: optNumber, end_line_number: z.number(), end_column: optNumber });
const FileEditEntry = z.looseObject({ old_string: z.string().catch(''), new_string: z.string(), range: TabRange.optional().catch(undefined) });
const Payload = z.looseObject({
  hook_event_name: optString,
  conversation_id: optString,
  generation_id: optString,
  model: optString,
  cursor_version: optString,
  workspace_roots: lenientArray(z.string()),
  transcript_path: z.string().nullable().optional().catch(undefined),
  cwd: optString,
  prompt: optString,
  file_path: optString,
  edits: lenientArray(FileEditEntry),
  tool_name: optString,
  tool_use_id: optString,
  tool_input: z.unknown().optional(),
});

const EDIT_TOOLS = new Set(['Write', 'StrReplace', 'MultiStrReplace', 'Edit', 'MultiEdit', 'ApplyPatch', 'Delete', 'EditNotebook']);

const IGNORED_EVENTS = new Set([
  'sessionStart',
  'sessionEnd',
  'postToolUseFailure',
  'subagentStart',
  'subagentStop',
  'beforeShellExecution',
  'afterShellExecution',
  'beforeMCPExecution',
  'afterMCPExecution',
  'beforeReadFile',
  'beforeTabFileRead',
  'preCompact',
  'stop',
  'afterAgentResponse',
  'afterAgentThought',
  'workspaceOpen',
]);

export function parseHookPayload(json: unknown, options: HookParseOptions = {}): HookParseResult {
  const p = readLenient(Payload, json);
  if (!p) return unusablePayload(TOOL, 'is not a JSON object');
  const result = emptyResult({
    ...(p.hook_event_name ? { hookEventName: p.hook_event_name } : {}),
    ...(p.conversation_id ? { conversationId: p.conversation_id } : {}),
    ...(p.transcript_path ? { transcriptPath: p.transcript_path } : {}),
    ...(p.cwd ? { cwd: p.cwd } : {}),
  });
  const event = p.hook_event_name;
  if (event && IGNORED_EVENTS.has(event)) return result;
  const known = ['beforeSubmitPrompt', 'afterFileEdit', 'afterTabFileEdit', 'preToolUse', 'postToolUse'];
  if (!event || !known.includes(event)) return unknownEvent(result, TOOL, event);
  const time = eventTime(undefined, options.now);
  // Tab completions belong to no composer conversation: they are grouped per day instead.
  const conversationId = p.conversation_id || (event === 'afterTabFileEdit' ? `cursor-tab:${time.slice(0, 10)}` : undefined);
  if (!conversationId) {
    result.warnings.push(`${event} payload has no conversation_id: ignored`);
    return result;
  }
  const toolVersion = p.cursor_version;
  const common = { tool: TOOL, conversationId, time, ...(toolVersion ? { toolVersion } : {}) };
  const model = modelFromName(p.model);
  const roots = p.workspace_roots ?? [];

  if (event === 'beforeSubmitPrompt') {
    if (p.prompt === undefined) result.warnings.push('beforeSubmitPrompt payload has no prompt: ignored');
    else result.events.push(promptEvent({ ...common, model, turnId: p.generation_id, text: p.prompt, cwd: roots[0] }));
    return result;
  }

  if (event === 'afterFileEdit' || event === 'afterTabFileEdit') {
    if (!p.file_path) {
      result.warnings.push(`${event} payload has no file_path: ignored`);
      return result;
    }
    const filePath = fileUriToPath(p.file_path);
    const tab = event === 'afterTabFileEdit';
    const parts: EditPart[] = (p.edits ?? []).map((e) => {
      const part: EditPart = { filePath, oldText: e.old_string, newText: e.new_string };
      if (tab && e.range) {
        const startLine = Math.max(0, e.range.start_line_number - 1);
        part.range = { startLine, endLine: startLine + touchedLines(e.new_string) };
        part.rangeBefore = { startLine, endLine: Math.max(startLine + 1, e.range.end_line_number) };
      }
      return part;
    });
    // Successive calls in one generation may edit the same file: the content keeps their ids apart.
    const toolUseId = `${event}:${p.generation_id ?? time}:${filePath}:${contentDigest(...parts.flatMap((x) => [x.oldText, x.newText]))}`;
    result.events.push(
      ...editsFromParts(
        {
          ...common,
          // Tab completions come from Cursor's own completion model, not the composer model the payload names.
          model: tab ? 'unknown' : model,
          ...(p.generation_id ? { turnId: p.generation_id } : {}),
          cwd: rootOf(filePath, roots),
          source: 'hook',
          toolUseId,
          detail: tab ? 'afterTabFileEdit (Tab completion)' : 'afterFileEdit',
        },
        parts,
      ),
    );
    return result;
  }

  // preToolUse / postToolUse
  if (!p.tool_name || !EDIT_TOOLS.has(p.tool_name)) return result;
  const input = objectOrJson(p.tool_input);
  const patchText = p.tool_name === 'ApplyPatch' ? (typeof p.tool_input === 'string' ? p.tool_input : firstString(input, 'patch', 'input', 'content')) : undefined;
  const cwd = p.cwd ?? roots[0];
  if (event === 'preToolUse') {
    let paths: string[] = [];
    const direct = firstString(input, 'file_path', 'path', 'target_file');
    if (direct) paths = [fileUriToPath(direct)];
    else if (looksLikeCodexPatch(patchText)) {
      try {
        paths = pathsOfPatch(parseCodexPatch(patchText));
      } catch (err) {
        if (!(err instanceof PatchParseError)) throw err;
        result.warnings.push(err.message);
      }
    }
    result.events.push(preEditEvent({ tool: TOOL, conversationId, toolUseId: p.tool_use_id, filePaths: paths, cwd, time }));
    return result;
  }
  const parts: EditPart[] = [];
  const filePath = firstString(input, 'file_path', 'path', 'target_file');
  if (p.tool_name === 'Write') {
    const content = firstString(input, 'contents', 'content') ?? (typeof input?.contents === 'string' ? '' : undefined);
    if (filePath && content !== undefined) parts.push(wholeFilePart(fileUriToPath(filePath), content));
  } else if (p.tool_name === 'StrReplace' || p.tool_name === 'Edit') {
    const oldText = input?.old_string;
    const newText = input?.new_string;
    if (filePath && typeof oldText === 'string' && typeof newText === 'string') parts.push({ filePath: fileUriToPath(filePath), oldText, newText });
  } else if (p.tool_name === 'ApplyPatch' && looksLikeCodexPatch(patchText)) {
    try {
      const fromPatch = partsFromPatch(parseCodexPatch(patchText));
      parts.push(...fromPatch.parts);
      result.warnings.push(...fromPatch.warnings);
    } catch (err) {
      if (!(err instanceof PatchParseError)) throw err;
      result.warnings.push(err.message);
    }
  }
  if (parts.length === 0 && p.tool_name !== 'Delete') result.warnings.push(`postToolUse ${p.tool_name} carries no edit content: nothing recorded`);
  result.events.push(
    ...editsFromParts(
      {
        ...common,
        model,
        ...(p.generation_id ? { turnId: p.generation_id } : {}),
        ...(cwd ? { cwd } : {}),
        source: 'hook',
        toolUseId: p.tool_use_id ?? `${p.generation_id ?? time}:${p.tool_name}`,
        detail: `postToolUse ${p.tool_name}`,
      },
      parts,
    ),
  );
  return result;
}

/** Lines an inserted text touches from its start line (at least the start line itself). */
function touchedLines(text: string): number {
  let breaks = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) breaks++;
  return text.endsWith('\n') ? Math.max(1, breaks) : breaks + 1;
}

/** The workspace root that contains the file (multi-root workspaces), else the first root. */
function rootOf(filePath: string, roots: readonly string[]): string | undefined {
  const norm = (s: string) => s.replace(/\\/g, '/').replace(/\/+$/, '');
  const f = norm(filePath);
  return roots.find((r) => f.startsWith(norm(r) + '/')) ?? roots[0];
}


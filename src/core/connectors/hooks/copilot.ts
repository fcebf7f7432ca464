/**
 * GitHub Copilot agent hooks in VS Code (1.109+, `chat.useHooks`): JSON on stdin with `hookEventName,
 * sessionId, cwd, timestamp, transcript_path` and, for tools, `tool_name, tool_input, tool_use_id,
 * tool_response` (VS Code versions differ in snake_case vs camelCase: both are read).
 *   UserPromptSubmit {prompt}; PreToolUse; PostToolUse.
 * Edit tools: create_file {filePath, content}, replace_string_in_file {filePath, oldString, newString},
 * multi_replace_string_in_file {replacements[]}, insert_edit_into_file {filePath, code} (a sketch with
 * "...existing code..." markers, so no position), apply_patch {input: `*** Begin Patch` text},
 * editFiles {files[]} (paths only: a file_change event).
 * PostToolUse fires BEFORE the user clicks Keep or Undo: edits are pending (disposition 'pending'); the
 * editor observes the final decision.
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { firstString, lenientArray, objectOrJson, optString, readLenient } from '../lenient';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError, pathsOfPatch } from '../patch/applyPatch';
import { partsFromPatch } from '../patch/patchEdits';
import { fileUriToPath } from '../toRecords';
import type { HookParseOptions, HookParseResult } from '../types';
import { emptyResult, eventTime, fileChangeEvent, preEditEvent, promptEvent, unknownEvent, unusablePayload } from './hookCommon';

const TOOL = 'copilot';

const Payload = z.looseObject({
  hookEventName: optString,
  hook_event_name: optString,
  sessionId: optString,
  session_id: optString,
  cwd: optString,
  timestamp: z.unknown().optional(),
  transcript_path: optString,
  transcriptPath: optString,
  prompt: optString,
  tool_name: optString,
  toolName: optString,
  tool_use_id: optString,
  toolUseId: optString,
  tool_input: z.unknown().optional(),
  toolInput: z.unknown().optional(),
});

const Replacement = z.looseObject({ filePath: optString, oldString: z.string(), newString: z.string() });

const IGNORED_EVENTS = new Set(['SessionStart', 'Stop', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostToolUseFailure', 'Notification']);

/** Tool names whose use changes files. */
export function isCopilotEditTool(name: string): boolean {
  const n = name.toLowerCase();
  if (['create_file', 'replace_string_in_file', 'multi_replace_string_in_file', 'insert_edit_into_file', 'apply_patch', 'editfiles', 'edit_notebook_file'].includes(n)) return true;
  return !/(read|search|find|grep|list|fetch|open|todo|terminal)/.test(n) && /(edit|write|replace|patch|create_file)/.test(n);
}

export function parseHookPayload(json: unknown, options: HookParseOptions = {}): HookParseResult {
  const p = readLenient(Payload, json);
  if (!p) return unusablePayload(TOOL, 'is not a JSON object');
  const event = p.hookEventName ?? p.hook_event_name;
  const sessionId = p.sessionId ?? p.session_id;
  const transcriptPath = p.transcript_path ?? p.transcriptPath;
  const result = emptyResult({
    ...(event ? { hookEventName: event } : {}),
    ...(sessionId ? { conversationId: sessionId } : {}),
    ...(transcriptPath ? { transcriptPath } : {}),
    ...(p.cwd ? { cwd: p.cwd } : {}),
  });
  if (event && IGNORED_EVENTS.has(event)) return result;
  if (event !== 'UserPromptSubmit' && event !== 'PreToolUse' && event !== 'PostToolUse') return unknownEvent(result, TOOL, event);
  if (!sessionId) {
    result.warnings.push(`${event} payload has no sessionId: ignored`);
    return result;
  }
  const time = eventTime(p.timestamp, options.now);
  if (event === 'UserPromptSubmit') {
    if (p.prompt === undefined) result.warnings.push('UserPromptSubmit payload has no prompt: ignored');
    else result.events.push(promptEvent({ tool: TOOL, conversationId: sessionId, text: p.prompt, time, ...(p.cwd ? { cwd: p.cwd } : {}) }));
    return result;
  }
  const toolName = p.tool_name ?? p.toolName;
  if (!toolName || !isCopilotEditTool(toolName)) return result;
  const toolUseId = p.tool_use_id ?? p.toolUseId;
  const input = objectOrJson(p.tool_input ?? p.toolInput);
  const patchText = firstString(input, 'input', 'patch');
  const direct = firstString(input, 'filePath', 'file_path', 'path');
  const listed = Array.isArray(input?.files) ? input.files.filter((f): f is string => typeof f === 'string') : [];

  if (event === 'PreToolUse') {
    let paths = direct ? [direct] : listed;
    if (paths.length === 0 && Array.isArray(input?.replacements)) paths = replacementsOf(input.replacements).flatMap((r) => (r.filePath ? [r.filePath] : []));
    if (paths.length === 0 && looksLikeCodexPatch(patchText)) {
      try {
        paths = pathsOfPatch(parseCodexPatch(patchText));
      } catch (err) {
        if (!(err instanceof PatchParseError)) throw err;
        result.warnings.push(err.message);
      }
    }
    result.events.push(preEditEvent({ tool: TOOL, conversationId: sessionId, toolUseId, filePaths: [...new Set(paths.map(fileUriToPath))], cwd: p.cwd, time }));
    return result;
  }

  const parts: EditPart[] = [];
  const name = toolName.toLowerCase();
  if (name === 'create_file' && direct) {
    const content = firstString(input, 'content') ?? '';
    parts.push(wholeFilePart(fileUriToPath(direct), content));
  } else if (name === 'replace_string_in_file' && direct && typeof input?.oldString === 'string' && typeof input?.newString === 'string') {
    parts.push({ filePath: fileUriToPath(direct), oldText: input.oldString, newText: input.newString });
  } else if (name === 'multi_replace_string_in_file' && Array.isArray(input?.replacements)) {
    for (const r of replacementsOf(input.replacements)) {
      const f = r.filePath ?? direct;
      if (f) parts.push({ filePath: fileUriToPath(f), oldText: r.oldString, newText: r.newString });
    }
  } else if (name === 'insert_edit_into_file' && direct && typeof input?.code === 'string') {
    parts.push({ filePath: fileUriToPath(direct), newText: input.code });
  } else if (looksLikeCodexPatch(patchText)) {
    try {
      const fromPatch = partsFromPatch(parseCodexPatch(patchText));
      parts.push(...fromPatch.parts.map((x) => ({ ...x, filePath: fileUriToPath(x.filePath) })));
      result.warnings.push(...fromPatch.warnings);
    } catch (err) {
      if (!(err instanceof PatchParseError)) throw err;
      result.warnings.push(err.message);
    }
  }
  if (parts.length === 0) {
    // The payload names files but not the change: the caller diffs them against its PreToolUse snapshot.
    const paths = direct ? [direct] : listed;
    if (paths.length > 0) {
      result.events.push(
        fileChangeEvent({ tool: TOOL, model: 'unknown', conversationId: sessionId, toolUseId, filePaths: paths.map(fileUriToPath), cwd: p.cwd, time, pendingReview: true }),
      );
    } else {
      result.warnings.push(`PostToolUse ${toolName.slice(0, 80)} carries no edit content: nothing recorded`);
    }
    return result;
  }
  result.events.push(
    ...editsFromParts(
      {
        tool: TOOL,
        model: 'unknown',
        conversationId: sessionId,
        ...(p.cwd ? { cwd: p.cwd } : {}),
        time,
        source: 'hook',
        toolUseId: toolUseId ?? `${time}:${toolName}`,
        pendingReview: true,
        detail: `PostToolUse ${toolName.slice(0, 80)}${name === 'insert_edit_into_file' ? ' (sketch, position unknown)' : ''}`,
      },
      parts,
    ),
  );
  return result;
}

function replacementsOf(values: unknown[]): z.output<typeof Replacement>[] {
  return (readLenient(lenientArray(Replacement), values) ?? []);
}

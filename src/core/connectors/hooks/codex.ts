/**
 * OpenAI Codex CLI hooks (`~/.codex/hooks.json`): `session_id, transcript_path, cwd, hook_event_name,
 * model, turn_id, tool_name, tool_input, tool_use_id, tool_response`; UserPromptSubmit adds `prompt`.
 * Edits arrive as the `apply_patch` tool, its `*** Begin Patch` text in `tool_input.command` (older
 * versions: `input`/`patch`, or the bare string). The patch has no positions; the caller may place each
 * edit by reading the file after the hook (rangeOfTextInFile).
 */
import { z } from 'zod';
import { editsFromParts } from '../editBuilder';
import { firstString, objectOrJson, optString, readLenient } from '../lenient';
import { modelFromName } from '../modelRef';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError, pathsOfPatch } from '../patch/applyPatch';
import { partsFromPatch } from '../patch/patchEdits';
import type { HookParseOptions, HookParseResult } from '../types';
import { emptyResult, eventTime, preEditEvent, promptEvent, unknownEvent, unusablePayload } from './hookCommon';

const TOOL = 'codex';

const Payload = z.looseObject({
  hook_event_name: optString,
  hookEventName: optString,
  session_id: optString,
  thread_id: optString,
  transcript_path: optString,
  cwd: optString,
  model: optString,
  turn_id: optString,
  prompt: optString,
  tool_name: optString,
  tool_use_id: optString,
  tool_input: z.unknown().optional(),
  tool_response: z.unknown().optional(),
});

const IGNORED_EVENTS = new Set(['SessionStart', 'Stop', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact', 'PermissionRequest', 'Interrupt']);
const PATCH_TOOLS = new Set(['apply_patch', 'applypatch', 'edit', 'write']);

export function parseHookPayload(json: unknown, options: HookParseOptions = {}): HookParseResult {
  const p = readLenient(Payload, json);
  if (!p) return unusablePayload(TOOL, 'is not a JSON object');
  const event = p.hook_event_name ?? p.hookEventName;
  const sessionId = p.session_id ?? p.thread_id;
  const result = emptyResult({
    ...(event ? { hookEventName: event } : {}),
    ...(sessionId ? { conversationId: sessionId } : {}),
    ...(p.transcript_path ? { transcriptPath: p.transcript_path } : {}),
    ...(p.cwd ? { cwd: p.cwd } : {}),
  });
  if (event && IGNORED_EVENTS.has(event)) return result;
  if (event !== 'UserPromptSubmit' && event !== 'PreToolUse' && event !== 'PostToolUse') return unknownEvent(result, TOOL, event);
  if (!sessionId) {
    result.warnings.push(`${event} payload has no session_id: ignored`);
    return result;
  }
  const time = eventTime(undefined, options.now);
  const model = modelFromName(p.model);
  if (event === 'UserPromptSubmit') {
    if (p.prompt === undefined) result.warnings.push('UserPromptSubmit payload has no prompt: ignored');
    else result.events.push(promptEvent({ tool: TOOL, model, conversationId: sessionId, turnId: p.turn_id, text: p.prompt, time, cwd: p.cwd }));
    return result;
  }
  if (!p.tool_name || !PATCH_TOOLS.has(p.tool_name.toLowerCase())) return result;
  const input = objectOrJson(p.tool_input);
  const patchText = typeof p.tool_input === 'string' ? p.tool_input : firstString(input, 'command', 'input', 'patch');
  if (!looksLikeCodexPatch(patchText)) {
    result.warnings.push(`${event} ${p.tool_name} carries no '*** Begin Patch' text: nothing recorded`);
    return result;
  }
  let ops;
  try {
    ops = parseCodexPatch(patchText);
  } catch (err) {
    if (!(err instanceof PatchParseError)) throw err;
    result.warnings.push(err.message);
    return result;
  }
  if (event === 'PreToolUse') {
    result.events.push(preEditEvent({ tool: TOOL, conversationId: sessionId, toolUseId: p.tool_use_id, filePaths: pathsOfPatch(ops), cwd: p.cwd, time }));
    return result;
  }
  if (patchFailed(p.tool_response)) {
    result.warnings.push('PostToolUse apply_patch reports that the patch did not apply: nothing recorded');
    return result;
  }
  const { parts, warnings } = partsFromPatch(ops);
  result.warnings.push(...warnings);
  result.events.push(
    ...editsFromParts(
      {
        tool: TOOL,
        model,
        conversationId: sessionId,
        ...(p.turn_id ? { turnId: p.turn_id } : {}),
        ...(p.cwd ? { cwd: p.cwd } : {}),
        time,
        source: 'hook',
        toolUseId: p.tool_use_id ?? `${p.turn_id ?? time}:apply_patch`,
        detail: 'PostToolUse apply_patch',
      },
      parts,
    ),
  );
  return result;
}

/** Whether the tool response says the patch was not applied (an error exit, a "success": false). */
function patchFailed(response: unknown): boolean {
  const r = objectOrJson(response);
  if (!r) return false;
  if (r.success === false) return true;
  const meta = objectOrJson(r.metadata);
  return typeof meta?.exit_code === 'number' && meta.exit_code !== 0;
}

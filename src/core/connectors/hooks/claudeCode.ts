/**
 * Claude Code hook payloads (one JSON object on stdin): common fields `session_id, transcript_path, cwd,
 * permission_mode, hook_event_name`;
 *   UserPromptSubmit adds `prompt`;
 *   PreToolUse adds `tool_name, tool_input, tool_use_id`; PostToolUse also `tool_response`.
 * Subagent payloads may add `agent_id` (then the edit belongs to the subagent, its session to the parent).
 * The model is not in hook payloads: `context.transcriptPath` lets the caller read it from the transcript's
 * latest assistant line (modelFromClaudeTranscriptTail) and fill it in (withModel).
 */
import { z } from 'zod';
import { CLAUDE_EDIT_TOOLS, claudeEditParts, claudeEditPaths } from '../claudeToolEdits';
import { editsFromParts } from '../editBuilder';
import { optString, readLenient } from '../lenient';
import type { HookParseOptions, HookParseResult } from '../types';
import { emptyResult, eventTime, preEditEvent, promptEvent, unknownEvent, unusablePayload } from './hookCommon';

const TOOL = 'claude-code';

const Payload = z.looseObject({
  hook_event_name: optString,
  session_id: optString,
  transcript_path: optString,
  cwd: optString,
  agent_id: optString,
  prompt: optString,
  tool_name: optString,
  tool_use_id: optString,
  tool_input: z.unknown().optional(),
  tool_response: z.unknown().optional(),
});

/** Events Claude Code sends that carry nothing to record. */
const IGNORED_EVENTS = new Set([
  'Notification',
  'Stop',
  'SubagentStop',
  'SubagentStart',
  'PreCompact',
  'SessionStart',
  'SessionEnd',
  'PostToolUseFailure',
  'PermissionRequest',
]);

export function parseHookPayload(json: unknown, options: HookParseOptions = {}): HookParseResult {
  const p = readLenient(Payload, json);
  if (!p) return unusablePayload(TOOL, 'is not a JSON object');
  const result = emptyResult({
    ...(p.hook_event_name ? { hookEventName: p.hook_event_name } : {}),
    ...(p.session_id ? { conversationId: p.session_id } : {}),
    ...(p.transcript_path ? { transcriptPath: p.transcript_path } : {}),
    ...(p.cwd ? { cwd: p.cwd } : {}),
  });
  const event = p.hook_event_name;
  if (event && IGNORED_EVENTS.has(event)) return result;
  if (event !== 'UserPromptSubmit' && event !== 'PreToolUse' && event !== 'PostToolUse') return unknownEvent(result, TOOL, event);
  if (!p.session_id) {
    result.warnings.push(`${event} payload has no session_id: ignored`);
    return result;
  }
  const conversation = p.agent_id ? { conversationId: p.agent_id, parentConversationId: p.session_id } : { conversationId: p.session_id };
  const time = eventTime(undefined, options.now);
  if (event === 'UserPromptSubmit') {
    if (p.prompt !== undefined) result.events.push(promptEvent({ tool: TOOL, ...conversation, text: p.prompt, time, ...(p.cwd ? { cwd: p.cwd } : {}) }));
    else result.warnings.push('UserPromptSubmit payload has no prompt: ignored');
    return result;
  }
  if (!p.tool_name || !CLAUDE_EDIT_TOOLS.has(p.tool_name)) return result; // not an edit: nothing to record
  if (event === 'PreToolUse') {
    result.events.push(preEditEvent({ tool: TOOL, ...conversation, toolUseId: p.tool_use_id, filePaths: claudeEditPaths(p.tool_input), cwd: p.cwd, time }));
    return result;
  }
  const { parts, warnings, userModified } = claudeEditParts(p.tool_name, p.tool_input, p.tool_response ?? {});
  result.warnings.push(...warnings);
  result.events.push(
    ...editsFromParts(
      {
        tool: TOOL,
        model: 'unknown',
        ...conversation,
        ...(p.cwd ? { cwd: p.cwd } : {}),
        time,
        source: 'hook',
        toolUseId: p.tool_use_id ?? `${time}:${p.tool_name}`,
        detail: `PostToolUse ${p.tool_name}${userModified ? ' (user modified before accepting)' : ''}`,
      },
      parts,
    ),
  );
  return result;
}

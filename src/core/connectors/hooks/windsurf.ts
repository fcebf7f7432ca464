/**
 * Windsurf Cascade hooks: `agent_action_name, trajectory_id, execution_id, timestamp, model_name,
 * tool_info`;
 *   pre_user_prompt {tool_info.user_prompt}
 *   pre_write_code / post_write_code {tool_info.file_path, tool_info.edits[{old_string, new_string}]}
 * The edits carry no positions. The trajectory id is the conversation; its transcript is at
 * `tool_info.transcript_path` or `~/.windsurf/transcripts/<trajectory_id>.jsonl`.
 */
import { z } from 'zod';
import { editsFromParts } from '../editBuilder';
import { lenientArray, optString, readLenient } from '../lenient';
import { modelFromName } from '../modelRef';
import { contentDigest } from '../stableId';
import { fileUriToPath } from '../toRecords';
import type { HookParseOptions, HookParseResult } from '../types';
import { emptyResult, eventTime, fileChangeEvent, preEditEvent, promptEvent, unknownEvent, unusablePayload } from './hookCommon';

const TOOL = 'windsurf';

const Edit = z.looseObject({ old_string: z.string().catch(''), new_string: z.string() });
const ToolInfo = z.looseObject({
  file_path: optString,
  cwd: optString,
  transcript_path: optString,
  user_prompt: optString,
  edits: lenientArray(Edit),
});
const Payload = z.looseObject({
  agent_action_name: optString,
  trajectory_id: optString,
  execution_id: optString,
  timestamp: z.unknown().optional(),
  model_name: optString,
  cwd: optString,
  tool_info: ToolInfo.optional().catch(undefined),
});

const IGNORED_EVENTS = new Set([
  'pre_read_code',
  'post_read_code',
  'pre_run_command',
  'post_run_command',
  'pre_mcp_tool_use',
  'post_mcp_tool_use',
  'post_cascade_response',
  'post_cascade_response_with_transcript',
  'post_setup_worktree',
]);

export function parseHookPayload(json: unknown, options: HookParseOptions = {}): HookParseResult {
  const p = readLenient(Payload, json);
  if (!p) return unusablePayload(TOOL, 'is not a JSON object');
  const event = p.agent_action_name;
  const info = p.tool_info ?? ToolInfo.parse({});
  const cwd = info.cwd ?? p.cwd;
  const result = emptyResult({
    ...(event ? { hookEventName: event } : {}),
    ...(p.trajectory_id ? { conversationId: p.trajectory_id } : {}),
    ...(info.transcript_path ? { transcriptPath: info.transcript_path } : {}),
    ...(cwd ? { cwd } : {}),
  });
  if (event && IGNORED_EVENTS.has(event)) return result;
  if (event !== 'pre_user_prompt' && event !== 'pre_write_code' && event !== 'post_write_code') return unknownEvent(result, TOOL, event);
  if (!p.trajectory_id) {
    result.warnings.push(`${event} payload has no trajectory_id: ignored`);
    return result;
  }
  const time = eventTime(p.timestamp, options.now);
  // Windsurf writes "Unknown" when it does not know the model.
  const model = modelFromName(p.model_name);
  if (event === 'pre_user_prompt') {
    if (info.user_prompt === undefined) result.warnings.push('pre_user_prompt payload has no user_prompt: ignored');
    else result.events.push(promptEvent({ tool: TOOL, model, conversationId: p.trajectory_id, turnId: p.execution_id, text: info.user_prompt, time, cwd }));
    return result;
  }
  if (!info.file_path) {
    result.warnings.push(`${event} payload has no tool_info.file_path: ignored`);
    return result;
  }
  const filePath = fileUriToPath(info.file_path);
  if (event === 'pre_write_code') {
    result.events.push(preEditEvent({ tool: TOOL, conversationId: p.trajectory_id, toolUseId: p.execution_id, filePaths: [filePath], cwd, time }));
    return result;
  }
  const edits = info.edits ?? [];
  if (edits.length === 0) {
    result.events.push(fileChangeEvent({ tool: TOOL, model, conversationId: p.trajectory_id, toolUseId: p.execution_id, turnId: p.execution_id, filePaths: [filePath], cwd, time }));
    return result;
  }
  result.events.push(
    ...editsFromParts(
      {
        tool: TOOL,
        model,
        conversationId: p.trajectory_id,
        ...(p.execution_id ? { turnId: p.execution_id } : {}),
        ...(cwd ? { cwd } : {}),
        time,
        source: 'hook',
        // One execution may write several files (and one file more than once): file and content keep them apart.
        toolUseId: `${p.execution_id ?? ''}:${filePath}:${contentDigest(...edits.flatMap((e) => [e.old_string, e.new_string]))}`,
        detail: 'post_write_code',
      },
      edits.map((e) => ({ filePath, oldText: e.old_string, newText: e.new_string })),
    ),
  );
  return result;
}

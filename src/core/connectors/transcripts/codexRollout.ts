/**
 * Codex CLI session rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, lines
 * `{timestamp, type: session_meta | turn_context | response_item | event_msg, payload}`.
 * - session_meta: the conversation id, cwd, cli_version, model_provider.
 * - turn_context: the model (and cwd, turn_id) of the turns that follow.
 * - response_item `function_call` apply_patch {arguments: JSON {patch|input}} or `custom_tool_call`
 *   apply_patch {input: patch text}, or (older) a `shell` call whose command is ["apply_patch", patch]: an edit.
 * - event_msg `patch_apply_begin` {call_id, changes: {path: {type: update, unified_diff} | {type: add,
 *   content} | ...}}: the same edit with exact line numbers (preferred when present); `patch_apply_end`
 *   {call_id, success}: a failed patch changed nothing and is not recorded.
 * - A call whose output says the user rejected it is a rejected edit.
 * - The prompt is the latest user message: event_msg `user_message`, else a user response_item that is not
 *   one of Codex's injected context blocks (<environment_context>, <user_instructions>, AGENTS.md).
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, partsFromBlocks, wholeFilePart } from '../editBuilder';
import { firstString, objectOrJson, optBoolean, optString, optTimeValue, readLenient } from '../lenient';
import { blocksFromHunks, HunkError } from '../lineBlocks';
import { modelFromName } from '../modelRef';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError } from '../patch/applyPatch';
import { hunksOfUnifiedDiff, partsFromPatch } from '../patch/patchEdits';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions, TranscriptWarning } from '../types';
import type { Model } from '../../model/schema';
import { baseNameWithoutExtension, fallbackTimeOf, readJsonlRecords, transcriptText } from './transcriptText';

const TOOL = 'codex';

const Line = z.looseObject({ timestamp: optTimeValue, type: optString, payload: z.unknown().optional() });
const Payload = z.looseObject({
  type: optString,
  id: optString,
  cwd: optString,
  cli_version: optString,
  model_provider: optString,
  model: optString,
  turn_id: optString,
  role: optString,
  content: z.unknown().optional(),
  name: optString,
  arguments: z.unknown().optional(),
  input: z.unknown().optional(),
  call_id: optString,
  output: z.unknown().optional(),
  message: optString,
  changes: z.unknown().optional(),
  success: optBoolean,
  action: z.unknown().optional(),
});

const REJECTION = /rejected by (the )?user|user rejected|declined by (the )?user|denied by (the )?user|aborted by (the )?user/i;
const INJECTED_CONTEXT = /^\s*(<environment_context>|<user_instructions>|<permissions|# AGENTS\.md|<turn_aborted>)/;

interface PatchCall {
  callId: string;
  line: number;
  time: string;
  patch: string;
  model: Model;
  turnId?: string;
  cwd?: string;
  prompt?: AgentEdit['prompt'];
}

export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const { records, warnings } = readJsonlRecords(text);
  const out: TranscriptImport = { edits: [], prompts: [], warnings };
  let conversationId = conversationIdOfPath(options.path);
  let cliVersion: string | undefined;
  let provider: string | undefined;
  let model: Model = 'unknown';
  let modelName: string | undefined;
  let turnId: string | undefined;
  let cwd: string | undefined;
  let lastPrompt: AgentEdit['prompt'] | undefined;
  let lastUserText: string | undefined;
  let fallback: string | undefined;
  const calls: PatchCall[] = [];
  const exactChanges = new Map<string, Map<string, unknown>>();
  const failed = new Set<string>();
  const rejected = new Set<string>();

  for (const { line: n, value } of records) {
    const line = readLenient(Line, value);
    const p = readLenient(Payload, line?.payload);
    if (!line || !p) {
      warnings.push({ line: n, message: `line ${n} is not a rollout record: skipped` });
      continue;
    }
    const time = isoTime(line.timestamp) ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), warnings));
    if (line.type === 'session_meta') {
      conversationId = p.id ?? conversationId;
      cliVersion = p.cli_version ?? cliVersion;
      provider = p.model_provider ?? provider;
      cwd = p.cwd ?? cwd;
      if (modelName) model = modelFromName(modelName, provider);
      continue;
    }
    if (line.type === 'turn_context') {
      modelName = p.model ?? modelName;
      model = modelFromName(modelName, provider);
      turnId = p.turn_id ?? turnId;
      cwd = p.cwd ?? cwd;
      continue;
    }
    if (line.type === 'event_msg') {
      if (p.type === 'user_message' && p.message !== undefined) {
        const promptText = p.message;
        if (promptText !== lastUserText && !INJECTED_CONTEXT.test(promptText)) {
          lastUserText = promptText;
          lastPrompt = { text: promptText, time, ...(turnId ? { turnId } : {}) };
          out.prompts.push(promptEvent({ tool: TOOL, conversationId, turnId, key: `line:${n}`, text: promptText, time, source: 'transcript', model, cwd, ...(cliVersion ? { toolVersion: cliVersion } : {}) }));
        }
      } else if (p.type === 'patch_apply_begin' && p.call_id) {
        const changes = objectOrJson(p.changes);
        if (changes) exactChanges.set(p.call_id, new Map(Object.entries(changes)));
      } else if (p.type === 'patch_apply_end' && p.call_id && p.success === false) {
        failed.add(p.call_id);
      }
      continue;
    }
    if (line.type !== 'response_item') continue;
    if (p.type === 'message' && p.role === 'user') {
      const promptText = userText(p.content);
      if (promptText !== '' && promptText !== lastUserText && !INJECTED_CONTEXT.test(promptText)) {
        lastUserText = promptText;
        lastPrompt = { text: promptText, time, ...(turnId ? { turnId } : {}) };
        out.prompts.push(promptEvent({ tool: TOOL, conversationId, turnId, key: `line:${n}`, text: promptText, time, source: 'transcript', model, cwd, ...(cliVersion ? { toolVersion: cliVersion } : {}) }));
      }
      continue;
    }
    if ((p.type === 'function_call_output' || p.type === 'custom_tool_call_output') && p.call_id) {
      const output = typeof p.output === 'string' ? p.output : JSON.stringify(p.output ?? '');
      if (REJECTION.test(output)) rejected.add(p.call_id);
      continue;
    }
    const patch = patchOfCall(p);
    if (patch !== undefined) {
      calls.push({ callId: p.call_id ?? `line:${n}`, line: n, time, patch, model, turnId, cwd, prompt: lastPrompt });
    }
  }

  for (const call of calls) {
    if (failed.has(call.callId)) continue;
    const parts = partsOfCall(call, exactChanges.get(call.callId), warnings);
    out.edits.push(
      ...editsFromParts(
        {
          tool: TOOL,
          ...(cliVersion ? { toolVersion: cliVersion } : {}),
          model: call.model,
          ...(call.prompt ? { prompt: call.prompt } : {}),
          conversationId,
          ...(call.turnId ? { turnId: call.turnId } : {}),
          ...(call.cwd ? { cwd: call.cwd } : {}),
          time: call.time,
          source: 'transcript',
          toolUseId: call.callId,
          rejected: rejected.has(call.callId),
          detail: `rollout line ${call.line} apply_patch`,
        },
        parts,
      ),
    );
  }
  return out;
}

/** The patch text of an apply_patch call (as a function, a custom tool, or a shell command). */
function patchOfCall(p: z.output<typeof Payload>): string | undefined {
  if (p.type === 'custom_tool_call' && p.name === 'apply_patch') return looksLikeCodexPatch(p.input) ? p.input : undefined;
  if (p.type !== 'function_call' && p.type !== 'local_shell_call') return undefined;
  const args = objectOrJson(p.arguments);
  if (p.name === 'apply_patch') {
    const patch = typeof p.arguments === 'string' && looksLikeCodexPatch(p.arguments) && !args ? p.arguments : firstString(args, 'patch', 'input');
    return looksLikeCodexPatch(patch) ? patch : undefined;
  }
  // Codex also runs apply_patch through its shell tools: ["apply_patch", patch], ["bash", "-lc",
  // "apply_patch <<'EOF' ... EOF"], {cmd: "..."}, or a local_shell_call's action.command.
  const command = args?.command ?? args?.cmd ?? objectOrJson(p.action)?.command;
  const words = Array.isArray(command) ? command.filter((c): c is string => typeof c === 'string') : typeof command === 'string' ? [command] : [];
  if (!words.some((w) => /\bapply_?patch\b/.test(w))) return undefined;
  return words.find((w) => looksLikeCodexPatch(w));
}

function partsOfCall(call: PatchCall, exact: Map<string, unknown> | undefined, warnings: TranscriptWarning[]): EditPart[] {
  if (exact && exact.size > 0) {
    const parts = exactParts(exact, call.line, warnings);
    if (parts) return parts;
  }
  try {
    const { parts, warnings: w } = partsFromPatch(parseCodexPatch(call.patch));
    warnings.push(...w.map((message) => ({ line: call.line, message: `line ${call.line}: ${message}` })));
    return parts;
  } catch (err) {
    if (!(err instanceof PatchParseError)) throw err;
    warnings.push({ line: call.line, message: `line ${call.line}: ${err.message}` });
    return [];
  }
}

/**
 * Parts from patch_apply_begin's changes: `{type: add, content}`, `{type: update, unified_diff, move_path}`
 * (older: `{add: {content}}`, `{update: {unified_diff}}`). Undefined when a change cannot be read exactly.
 */
function exactParts(changes: Map<string, unknown>, line: number, warnings: TranscriptWarning[]): EditPart[] | undefined {
  const parts: EditPart[] = [];
  for (const [path, raw] of changes) {
    const change = objectOrJson(raw);
    const kind = typeof change?.type === 'string' ? change.type : ['add', 'update', 'delete'].find((k) => change && k in change);
    const body = kind && change && typeof change[kind] === 'object' ? objectOrJson(change[kind]) : change;
    if (kind === 'delete') continue;
    if (kind === 'add' && typeof body?.content === 'string') {
      parts.push(wholeFilePart(path, body.content));
      continue;
    }
    if (kind === 'update' && typeof body?.unified_diff === 'string') {
      const target = typeof body.move_path === 'string' ? body.move_path : path;
      try {
        parts.push(...partsFromBlocks(target, blocksFromHunks(hunksOfUnifiedDiff(body.unified_diff))));
        continue;
      } catch (err) {
        if (!(err instanceof HunkError)) throw err;
        warnings.push({ line, message: `line ${line}: ${err.message}; the patch text is used instead` });
      }
    }
    return undefined;
  }
  return parts;
}

function userText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => (typeof c === 'object' && c !== null && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** rollout-2025-01-01T10-00-00-<uuid>.jsonl -> the uuid (session_meta, when present, says it too). */
function conversationIdOfPath(path: string): string {
  const base = baseNameWithoutExtension(path);
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(base);
  return m ? m[1] : base;
}

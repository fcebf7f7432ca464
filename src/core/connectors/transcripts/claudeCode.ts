/**
 * Claude Code project transcripts: `~/.claude/projects/<cwd slug>/<sessionId>.jsonl`, and a subagent's
 * in `<sessionId>/subagents/agent-<id>.jsonl`. Each line: `type (user|assistant|summary|...), sessionId,
 * agentId?, cwd, version, uuid, timestamp, isMeta?, message{role, model, content}` and, on the user line that
 * answers a tool use, `toolUseResult`.
 *
 * An edit is an assistant `tool_use` of an edit tool, paired with the user line's `tool_result` for it:
 * - the result's toolUseResult gives the exact change (structuredPatch, originalFile);
 * - an error result that says the user rejected the tool use is a rejected edit (from the tool input);
 * - any other error result means the edit did not happen: nothing is recorded;
 * - no result yet (the agent waits for permission, or the file is being written): a pending edit.
 * Each edit carries the model of the assistant line that made it and the nearest preceding user prompt
 * (a user line that is not a tool result, not a system-injected meta line, not an interruption marker).
 */
import { z } from 'zod';
import { CLAUDE_EDIT_TOOLS, claudeEditParts } from '../claudeToolEdits';
import { editsFromParts } from '../editBuilder';
import { optBoolean, optString, optTimeValue, readLenient } from '../lenient';
import { modelFromName } from '../modelRef';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions } from '../types';
import type { Model } from '../../model/schema';
import { baseNameWithoutExtension, fallbackTimeOf, parentSegments, readJsonlRecords, transcriptText } from './transcriptText';

const TOOL = 'claude-code';

const Line = z.looseObject({
  type: optString,
  sessionId: optString,
  agentId: optString,
  isMeta: optBoolean,
  cwd: optString,
  version: optString,
  uuid: optString,
  timestamp: optTimeValue,
  message: z.looseObject({ role: optString, model: optString, content: z.unknown().optional() }).optional().catch(undefined),
  toolUseResult: z.unknown().optional(),
});
type Line = z.output<typeof Line>;

const ContentBlock = z.looseObject({
  type: optString,
  text: optString,
  id: optString,
  name: optString,
  input: z.unknown().optional(),
  tool_use_id: optString,
  is_error: optBoolean,
  content: z.unknown().optional(),
});
type ContentBlock = z.output<typeof ContentBlock>;

/** What Claude Code writes in the tool result when the user declines a tool use. */
const REJECTION = /user doesn't want to proceed|tool use was rejected|user rejected|rejected by the user|interrupted by user for tool use/i;

interface PendingToolUse {
  id: string;
  name: string;
  input: unknown;
  line: number;
  model: Model;
  time?: string;
  prompt?: AgentEdit['prompt'];
  conversation: Conversation;
  cwd?: string;
  version?: string;
}

interface Conversation {
  conversationId: string;
  parentConversationId?: string;
}

export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const { records, warnings } = readJsonlRecords(text);
  const out: TranscriptImport = { edits: [], prompts: [], warnings };
  const subagent = subagentOfPath(options.path);
  const fileConversation = baseNameWithoutExtension(options.path);
  const pending = new Map<string, PendingToolUse>();
  let lastPrompt: AgentEdit['prompt'] | undefined;
  let fallback: string | undefined;
  const timeOf = (line: Line) => isoTime(line.timestamp) ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), warnings));

  for (const { line: n, value } of records) {
    const line = readLenient(Line, value);
    if (!line) {
      warnings.push({ line: n, message: `line ${n} is not a JSON object: skipped` });
      continue;
    }
    const conversation = conversationOf(line, subagent, fileConversation);
    const blocks = contentBlocks(line.message?.content);
    if (line.type === 'assistant') {
      const model = modelFromName(line.message?.model, 'anthropic');
      for (const b of blocks) {
        if (b.type !== 'tool_use' || !b.name || !CLAUDE_EDIT_TOOLS.has(b.name)) continue;
        if (!b.id) {
          warnings.push({ line: n, message: `line ${n}: ${b.name} tool use has no id: skipped` });
          continue;
        }
        pending.set(b.id, {
          id: b.id,
          name: b.name,
          input: b.input,
          line: n,
          model,
          time: isoTime(line.timestamp),
          prompt: lastPrompt,
          conversation,
          cwd: line.cwd,
          version: line.version,
        });
      }
      continue;
    }
    if (line.type !== 'user') continue;
    const results = blocks.filter((b) => b.type === 'tool_result');
    if (results.length === 0) {
      const promptText = typeof line.message?.content === 'string' ? line.message.content : blocks.filter((b) => b.type === 'text' && b.text).map((b) => b.text).join('\n');
      if (!line.isMeta && promptText.trim() !== '' && !/^\[Request interrupted/.test(promptText.trim())) {
        const time = timeOf(line);
        lastPrompt = { text: promptText, time, ...(line.uuid ? { turnId: line.uuid } : {}) };
        out.prompts.push(
          promptEvent({ tool: TOOL, ...conversation, text: promptText, time, source: 'transcript', turnId: line.uuid, key: `line:${n}`, cwd: line.cwd, toolVersion: line.version }),
        );
      }
      continue;
    }
    for (const r of results) {
      const use = r.tool_use_id ? pending.get(r.tool_use_id) : undefined;
      if (!use) continue; // the answer to a tool that is not an edit
      pending.delete(use.id);
      const resultText = textOf(r.content) + (typeof line.toolUseResult === 'string' ? `\n${line.toolUseResult}` : '');
      const rejected = r.is_error === true && REJECTION.test(resultText);
      if (r.is_error === true && !rejected) continue; // the edit failed (e.g. old_string not found): it did not happen
      // A line answering several tool uses has one toolUseResult: it can only belong to a lone result.
      const toolResult = !rejected && results.length === 1 && typeof line.toolUseResult === 'object' ? line.toolUseResult : undefined;
      out.edits.push(...editsOfToolUse(use, toolResult, { rejected, time: timeOf(line), line: n }, warnings));
    }
  }
  for (const use of pending.values()) {
    out.edits.push(...editsOfToolUse(use, undefined, { pendingReview: true, time: use.time ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), warnings)) }, warnings));
  }
  return out;
}

function editsOfToolUse(
  use: PendingToolUse,
  toolResult: unknown,
  outcome: { rejected?: boolean; pendingReview?: boolean; time: string; line?: number },
  warnings: TranscriptImport['warnings'],
): AgentEdit[] {
  const { parts, warnings: partWarnings, userModified } = claudeEditParts(use.name, use.input, toolResult);
  for (const message of partWarnings) warnings.push({ line: use.line, message: `line ${use.line}: ${message}` });
  const state = outcome.rejected ? ' (rejected)' : outcome.pendingReview ? ' (no tool result in the transcript)' : userModified ? ' (user modified before accepting)' : '';
  return editsFromParts(
    {
      tool: TOOL,
      ...(use.version ? { toolVersion: use.version } : {}),
      model: use.model,
      ...(use.prompt ? { prompt: use.prompt, ...(use.prompt.turnId ? { turnId: use.prompt.turnId } : {}) } : {}),
      ...use.conversation,
      ...(use.cwd ? { cwd: use.cwd } : {}),
      time: outcome.time,
      source: 'transcript',
      toolUseId: use.id,
      rejected: outcome.rejected,
      pendingReview: outcome.pendingReview,
      detail: `transcript line ${use.line} ${use.name}${state}`,
    },
    parts,
  );
}

function contentBlocks(content: unknown): ContentBlock[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((c) => {
    const b = readLenient(ContentBlock, c);
    return b ? [b] : [];
  });
}

/** The text of a tool result's content (a string, or text blocks). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => (typeof c === 'object' && c !== null && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : '')).join('\n');
}

/** `<parent session>/subagents/agent-<id>.jsonl` -> the subagent id and its parent session, from the path. */
function subagentOfPath(path: string): { agentId: string; parentId?: string } | undefined {
  const base = baseNameWithoutExtension(path);
  const segments = parentSegments(path);
  if (segments[0] !== 'subagents' || !base.startsWith('agent-')) return undefined;
  return { agentId: base.slice('agent-'.length), ...(segments[1] ? { parentId: segments[1] } : {}) };
}

function conversationOf(line: Line, subagent: ReturnType<typeof subagentOfPath>, fileConversation: string): Conversation {
  if (subagent) {
    // A subagent's lines name the parent's session id; the agent id is the subagent's own conversation.
    const parent = line.sessionId ?? subagent.parentId;
    const id = line.agentId ?? subagent.agentId;
    return parent ? { conversationId: id, parentConversationId: parent } : { conversationId: id };
  }
  return { conversationId: line.sessionId ?? fileConversation };
}

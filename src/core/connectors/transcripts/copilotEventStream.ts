/**
 * Copilot agent event streams (`GitHub.copilot-chat/transcripts/<session id>.jsonl`, the transcript_path
 * of Copilot's hooks): lines `{type, data, id, timestamp, parentId}` with
 * `session.start {sessionId, copilotVersion}`, `user.message {content}`, `assistant.turn_start {turnId}`,
 * `assistant.message {toolRequests[{toolCallId, name, arguments}]}`,
 * `tool.execution_complete {toolCallId, success}`.
 * Edits are the apply_patch / create_file / replace_string_in_file tool requests that completed
 * successfully. The stream names no model. Patches carry no positions.
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { firstString, lenientArray, objectOrJson, optBoolean, optString, optTimeValue, readLenient } from '../lenient';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError } from '../patch/applyPatch';
import { partsFromPatch } from '../patch/patchEdits';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import { fileUriToPath } from '../toRecords';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions, TranscriptWarning } from '../types';
import { baseNameWithoutExtension, fallbackTimeOf, readJsonlRecords, transcriptText } from './transcriptText';

const TOOL = 'copilot';

const ToolRequest = z.looseObject({ toolCallId: z.string(), name: z.string(), arguments: z.unknown().optional() });
const Line = z.looseObject({
  type: optString,
  id: optString,
  timestamp: optTimeValue,
  data: z
    .looseObject({
      sessionId: optString,
      copilotVersion: optString,
      content: optString,
      turnId: optString,
      toolRequests: lenientArray(ToolRequest),
      toolCallId: optString,
      success: optBoolean,
    })
    .optional()
    .catch(undefined),
});

interface Request {
  toolCallId: string;
  name: string;
  args: Record<string, unknown> | undefined;
  line: number;
  time: string;
  turnId?: string;
  prompt?: AgentEdit['prompt'];
}

/** Whether a JSONL text looks like an event stream (its lines have `type` like "session.start"). */
export function looksLikeCopilotEventStream(text: string): boolean {
  return /^\s*\{[^\n]*"type"\s*:\s*"(session\.start|user\.message|assistant\.)/.test(text);
}

export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const { records, warnings } = readJsonlRecords(text);
  const out: TranscriptImport = { edits: [], prompts: [], warnings };
  let conversationId = baseNameWithoutExtension(options.path);
  let version: string | undefined;
  let turnId: string | undefined;
  let lastPrompt: AgentEdit['prompt'] | undefined;
  let fallback: string | undefined;
  const requests = new Map<string, Request>();
  const succeeded = new Set<string>();
  for (const { line: n, value } of records) {
    const line = readLenient(Line, value);
    if (!line) {
      warnings.push({ line: n, message: `line ${n} is not a JSON object: skipped` });
      continue;
    }
    const time = isoTime(line.timestamp) ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), warnings));
    const d = line.data;
    if (line.type === 'session.start') {
      conversationId = d?.sessionId ?? conversationId;
      version = d?.copilotVersion ?? version;
    } else if (line.type === 'user.message' && d?.content !== undefined) {
      lastPrompt = { text: d.content, time, ...(line.id ? { turnId: line.id } : {}) };
      out.prompts.push(promptEvent({ tool: TOOL, conversationId, turnId: line.id, key: `line:${n}`, text: d.content, time, source: 'transcript', ...(version ? { toolVersion: version } : {}) }));
    } else if (line.type === 'assistant.turn_start') {
      turnId = d?.turnId ?? turnId;
    } else if (line.type === 'assistant.message') {
      for (const r of d?.toolRequests ?? []) {
        requests.set(r.toolCallId, { toolCallId: r.toolCallId, name: r.name, args: objectOrJson(r.arguments), line: n, time, turnId, prompt: lastPrompt });
      }
    } else if (line.type === 'tool.execution_complete' && d?.toolCallId && d.success === true) {
      succeeded.add(d.toolCallId);
    }
  }
  for (const r of requests.values()) {
    if (!succeeded.has(r.toolCallId)) continue;
    const parts = partsOfRequest(r, warnings);
    out.edits.push(
      ...editsFromParts(
        {
          tool: TOOL,
          ...(version ? { toolVersion: version } : {}),
          model: 'unknown',
          ...(r.prompt ? { prompt: r.prompt } : {}),
          conversationId,
          ...(r.turnId ? { turnId: r.turnId } : {}),
          time: r.time,
          source: 'transcript',
          toolUseId: r.toolCallId,
          detail: `event stream line ${r.line} ${r.name.slice(0, 60)}`,
        },
        parts,
      ),
    );
  }
  return out;
}

function partsOfRequest(r: Request, warnings: TranscriptWarning[]): EditPart[] {
  const filePath = firstString(r.args, 'filePath', 'file_path', 'path');
  switch (r.name) {
    case 'create_file':
      return filePath ? [wholeFilePart(fileUriToPath(filePath), firstString(r.args, 'content') ?? '')] : [];
    case 'replace_string_in_file':
      return filePath && typeof r.args?.oldString === 'string' && typeof r.args?.newString === 'string'
        ? [{ filePath: fileUriToPath(filePath), oldText: r.args.oldString, newText: r.args.newString }]
        : [];
    case 'apply_patch': {
      const patch = firstString(r.args, 'input', 'patch');
      if (!looksLikeCodexPatch(patch)) return [];
      try {
        const { parts, warnings: w } = partsFromPatch(parseCodexPatch(patch));
        warnings.push(...w.map((message) => ({ line: r.line, message: `line ${r.line}: ${message}` })));
        return parts.map((p) => ({ ...p, filePath: fileUriToPath(p.filePath) }));
      } catch (err) {
        if (!(err instanceof PatchParseError)) throw err;
        warnings.push({ line: r.line, message: `line ${r.line}: ${err.message}` });
        return [];
      }
    }
    default:
      return [];
  }
}

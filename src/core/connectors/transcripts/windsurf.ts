/**
 * Windsurf (Cascade) transcripts: `~/.windsurf/transcripts/<trajectory id>.jsonl`, lines `{type, status,
 * <type>: {...}}`: `user_input {user_response}` is a prompt, `code_action {path (file URI),
 * original_content, new_content, acknowledgement_type}` an edit of a whole file (diffed for exact line
 * ranges). ACKNOWLEDGEMENT_TYPE_ACCEPT is accepted, a REJECT type rejected, anything else still pending.
 * No timestamps and no model: the caller's fallback time, model unknown (hooks carry model_name).
 */
import { z } from 'zod';
import { editsFromParts, partsFromBlocks } from '../editBuilder';
import { optString, readLenient } from '../lenient';
import { blocksFromTexts } from '../lineBlocks';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import { fileUriToPath } from '../toRecords';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions } from '../types';
import { baseNameWithoutExtension, fallbackTimeOf, readJsonlRecords, transcriptText } from './transcriptText';

const TOOL = 'windsurf';

const Line = z.looseObject({
  type: optString,
  status: optString,
  user_input: z.looseObject({ user_response: optString }).optional().catch(undefined),
  code_action: z
    .looseObject({ path: optString, original_content: optString, new_content: optString, acknowledgement_type: optString })
    .optional()
    .catch(undefined),
});

export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const { records, warnings } = readJsonlRecords(text);
  const out: TranscriptImport = { edits: [], prompts: [], warnings };
  const conversationId = baseNameWithoutExtension(options.path);
  let time: string | undefined;
  const timeNow = () => (time ??= fallbackTimeOf(isoTime(options.fallbackTime), warnings));
  let lastPrompt: AgentEdit['prompt'] | undefined;
  for (const { line: n, value } of records) {
    const line = readLenient(Line, value);
    if (!line) {
      warnings.push({ line: n, message: `line ${n} is not a JSON object: skipped` });
      continue;
    }
    if (line.type === 'user_input' && line.user_input?.user_response !== undefined) {
      const promptText = line.user_input.user_response;
      lastPrompt = { text: promptText, time: timeNow(), turnId: `line:${n}` };
      out.prompts.push(promptEvent({ tool: TOOL, conversationId, turnId: `line:${n}`, text: promptText, time: timeNow(), source: 'transcript' }));
      continue;
    }
    const action = line.code_action;
    if (line.type !== 'code_action' || !action) continue;
    if (!action.path || action.new_content === undefined) {
      warnings.push({ line: n, message: `line ${n}: code_action without a path or new content: skipped` });
      continue;
    }
    const ack = action.acknowledgement_type ?? '';
    const filePath = fileUriToPath(action.path);
    const parts = partsFromBlocks(filePath, blocksFromTexts(action.original_content ?? '', action.new_content));
    out.edits.push(
      ...editsFromParts(
        {
          tool: TOOL,
          model: 'unknown',
          ...(lastPrompt ? { prompt: lastPrompt, turnId: lastPrompt.turnId } : {}),
          conversationId,
          time: timeNow(),
          source: 'transcript',
          toolUseId: `line:${n}`,
          rejected: /REJECT/.test(ack),
          pendingReview: !/ACCEPT|REJECT/.test(ack),
          detail: `transcript line ${n} code_action`,
        },
        parts,
      ),
    );
  }
  return out;
}

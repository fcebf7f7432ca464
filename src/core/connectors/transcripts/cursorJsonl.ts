/**
 * Cursor agent transcripts: `~/.cursor/projects/<slug>/agent-transcripts/<conversation id>.jsonl`, lines
 * `{role: user|assistant, message: {content: [{type: text, text} | {type: tool_use, name, input}]}}`.
 * They carry no ids, timestamps, models or tool results: the conversation is the file name, the time is the
 * caller's fallback (e.g. the file's mtime), the model is unknown, and an edit is recorded as it was asked
 * for (the transcript does not say whether it was kept). User text is wrapped in `<user_query>` tags.
 * Edit tools: Write {path, contents}, StrReplace {path, old_string, new_string}, ApplyPatch (patch text),
 * Delete (nothing to attribute).
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { firstString, objectOrJson, optString, readLenient } from '../lenient';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError } from '../patch/applyPatch';
import { partsFromPatch } from '../patch/patchEdits';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import { fileUriToPath } from '../toRecords';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions } from '../types';
import { baseNameWithoutExtension, fallbackTimeOf, readJsonlRecords, transcriptText } from './transcriptText';

const TOOL = 'cursor';

const Line = z.looseObject({
  role: optString,
  message: z.looseObject({ content: z.unknown().optional() }).optional().catch(undefined),
});
const Block = z.looseObject({ type: optString, text: optString, name: optString, input: z.unknown().optional() });

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
    const blocks = Array.isArray(line.message?.content) ? line.message.content.flatMap((c) => {
          const b = readLenient(Block, c);
          return b ? [b] : [];
        }) : [];
    if (line.role === 'user') {
      const promptText = unwrapUserQuery(blocks.filter((b) => b.type === 'text' && b.text).map((b) => b.text).join('\n'));
      if (promptText !== '') {
        lastPrompt = { text: promptText, time: timeNow(), turnId: `line:${n}` };
        out.prompts.push(promptEvent({ tool: TOOL, conversationId, text: promptText, time: timeNow(), turnId: `line:${n}`, source: 'transcript' }));
      }
      continue;
    }
    if (line.role !== 'assistant') continue;
    for (const [b, block] of blocks.entries()) {
      if (block.type !== 'tool_use' || !block.name) continue;
      const parts = partsOfTool(block.name, block.input, n, warnings);
      if (parts.length === 0) continue;
      out.edits.push(
        ...editsFromParts(
          {
            tool: TOOL,
            model: 'unknown',
            ...(lastPrompt ? { prompt: lastPrompt, turnId: lastPrompt.turnId } : {}),
            conversationId,
            time: timeNow(),
            source: 'transcript',
            toolUseId: `line:${n}:${b}`,
            detail: `transcript line ${n} ${block.name}`,
          },
          parts,
        ),
      );
    }
  }
  return out;
}

function partsOfTool(name: string, rawInput: unknown, n: number, warnings: TranscriptImport['warnings']): EditPart[] {
  const input = objectOrJson(rawInput);
  const filePath = firstString(input, 'path', 'file_path', 'target_file');
  switch (name) {
    case 'Write': {
      const contents = typeof input?.contents === 'string' ? input.contents : typeof input?.content === 'string' ? input.content : undefined;
      return filePath && contents !== undefined ? [wholeFilePart(fileUriToPath(filePath), contents)] : [];
    }
    case 'StrReplace':
    case 'Edit':
      return filePath && typeof input?.old_string === 'string' && typeof input?.new_string === 'string'
        ? [{ filePath: fileUriToPath(filePath), oldText: input.old_string, newText: input.new_string }]
        : [];
    case 'ApplyPatch': {
      const patch = typeof rawInput === 'string' ? rawInput : firstString(input, 'patch', 'input');
      if (!looksLikeCodexPatch(patch)) return [];
      try {
        const { parts, warnings: w } = partsFromPatch(parseCodexPatch(patch));
        for (const message of w) warnings.push({ line: n, message: `line ${n}: ${message}` });
        return parts.map((p) => ({ ...p, filePath: fileUriToPath(p.filePath) }));
      } catch (err) {
        if (!(err instanceof PatchParseError)) throw err;
        warnings.push({ line: n, message: `line ${n}: ${err.message}` });
        return [];
      }
    }
    default:
      return [];
  }
}

/** The user's words without Cursor's `<user_query>` wrapper (other context tags around it are dropped). */
function unwrapUserQuery(text: string): string {
  const m = /<user_query>([\s\S]*?)<\/user_query>/.exec(text);
  return (m ? m[1] : text).trim();
}

/**
 * VS Code's chat editing history: `workspaceStorage/<hash>/chatEditingSessions/<chat session id>/state.json`,
 * `timeline: {fileBaselines: [[key, {uri, requestId, content}]], operations: [{type: create | textEdit |
 * delete | rename | notebookEdit, uri, requestId, epoch, edits? | initialContent? | newUri?}]}`.
 * Operations replay in epoch order on each file's baseline, so edits get their exact replaced text and
 * landing lines; a file with no baseline still gets landing lines from the edit ranges. The file holds no
 * model, prompt or time (the matching chatSessions file does): edits carry the request id as turn id and
 * the caller's fallback time. Import this file or the chat session's edits, not both: they describe the
 * same edits under different ids.
 */
import { z } from 'zod';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { lenientArray, optNumber, optString, readLenient } from '../lenient';
import { isoTime } from '../time';
import type { TranscriptImport, TranscriptImportOptions } from '../types';
import { fallbackTimeOf, parentSegments, transcriptText } from './transcriptText';
import { applyEditBatch, placeEditBatch, VscodeTextEdit, vscodeUriKey, vscodeUriPath } from './vscodeTextEdits';

const TOOL = 'copilot';

const Operation = z.looseObject({
  type: z.string(),
  uri: z.unknown(),
  requestId: optString,
  epoch: optNumber,
  edits: lenientArray(VscodeTextEdit),
  initialContent: optString,
  newUri: z.unknown().optional(),
});
const Baseline = z.looseObject({ uri: z.unknown(), requestId: optString, content: z.string() });
const State = z.looseObject({
  timeline: z
    .looseObject({ operations: lenientArray(Operation), fileBaselines: lenientArray(z.tuple([z.string(), Baseline])) })
    .optional()
    .catch(undefined),
});

export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const out: TranscriptImport = { edits: [], prompts: [], warnings: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    out.warnings.push({ message: `${options.path} is not valid JSON: nothing imported` });
    return out;
  }
  const state = readLenient(State, value);
  const timeline = state?.timeline;
  if (!timeline?.operations) {
    out.warnings.push({ message: `${options.path} has no timeline of operations (an older VS Code format): nothing imported` });
    return out;
  }
  // The folder is named after the chat session the edits belong to.
  const conversationId = parentSegments(options.path)[0] ?? 'unknown';
  let time: string | undefined;
  const baselines = new Map<string, string>();
  for (const [, b] of timeline.fileBaselines ?? []) {
    const key = vscodeUriKey(b.uri);
    if (key && b.requestId) baselines.set(`${key}::${b.requestId}`, b.content);
  }
  const contents = new Map<string, string>();
  const operations = [...timeline.operations].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
  for (const [o, op] of operations.entries()) {
    const key = vscodeUriKey(op.uri);
    const filePath = vscodeUriPath(op.uri);
    if (!key || !filePath) continue;
    const requestId = op.requestId ?? 'unknown';
    let parts: EditPart[] = [];
    if (op.type === 'create') {
      const content = op.initialContent ?? '';
      contents.set(key, content);
      if (content !== '') parts = [wholeFilePart(filePath, content)];
    } else if (op.type === 'textEdit') {
      const before = contents.get(key) ?? baselines.get(`${key}::${requestId}`);
      const batch = op.edits ?? [];
      if (before !== undefined) {
        const applied = applyEditBatch(filePath, before, batch);
        contents.set(key, applied.text);
        parts = applied.parts;
      } else {
        parts = placeEditBatch(filePath, batch);
      }
    } else if (op.type === 'delete') {
      contents.delete(key);
    } else if (op.type === 'rename') {
      const to = vscodeUriKey(op.newUri);
      const content = contents.get(key);
      contents.delete(key);
      if (to && content !== undefined) contents.set(to, content);
    }
    if (parts.length === 0) continue;
    out.edits.push(
      ...editsFromParts(
        {
          tool: TOOL,
          model: 'unknown',
          conversationId,
          turnId: requestId,
          time: (time ??= fallbackTimeOf(isoTime(options.fallbackTime), out.warnings)),
          source: 'transcript',
          toolUseId: `${requestId}:epoch:${op.epoch ?? `#${o}`}`,
          detail: `chat editing ${op.type} (epoch ${op.epoch ?? '?'})`,
        },
        parts,
      ),
    );
  }
  return out;
}

/**
 * Copilot Chat sessions in VS Code: `workspaceStorage/<hash>/chatSessions/<sessionId>.json`, or `.jsonl`
 * (the same state as a mutation log, see mutationLog.ts). Requests: `{requestId, timestamp, message.text,
 * modelId, result{details, metadata}, response[], editedFileEvents?, agent.extensionVersion}`; the response
 * items of kind `textEditGroup {uri, edits: TextEdit[][]}` are the edits, one batch per inner array.
 *
 * - Model per request: `modelId` without its "copilot/" prefix; `copilot/auto` is resolved from
 *   result.metadata (resolvedModel) or result.details ("Claude Sonnet 4.5 • 0.9x").
 * - The replaced text is not in the log: edits have no oldText; their landing lines come from the ranges.
 * - Disposition: an Undo (eventKind 2) of the file in the next request's editedFileEvents rejects the
 *   request's edits to it; the last request's edits are pending while the session says it has pending edits.
 */
import { z } from 'zod';
import { editsFromParts } from '../editBuilder';
import { lenientArray, optBoolean, optString, optTimeValue, readLenient, stringAt } from '../lenient';
import { modelFromDisplayName, modelFromName } from '../modelRef';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import type { TranscriptImport, TranscriptImportOptions, TranscriptWarning } from '../types';
import type { Model } from '../../model/schema';
import { replayMutationLog } from './mutationLog';
import { baseNameWithoutExtension, fallbackTimeOf, readJsonlRecords, transcriptText } from './transcriptText';
import { placeEditBatch, VscodeTextEdit, vscodeUriKey, vscodeUriPath } from './vscodeTextEdits';

const TOOL = 'copilot';

const EditedFileEvent = z.looseObject({ uri: z.unknown(), eventKind: z.number() });
const Request = z.looseObject({
  requestId: optString,
  timestamp: optTimeValue,
  modelId: optString,
  message: z.looseObject({ text: optString }).optional().catch(undefined),
  result: z.looseObject({ details: optString, metadata: z.unknown().optional() }).optional().catch(undefined),
  response: lenientArray(z.unknown()),
  editedFileEvents: lenientArray(EditedFileEvent),
  agent: z.looseObject({ extensionVersion: optString }).optional().catch(undefined),
});
type Request = z.output<typeof Request>;
const Session = z.looseObject({
  sessionId: optString,
  creationDate: optTimeValue,
  hasPendingEdits: optBoolean,
  requests: lenientArray(Request),
});
const TextEditGroup = z.looseObject({ kind: z.literal('textEditGroup'), uri: z.unknown(), edits: lenientArray(lenientArray(VscodeTextEdit)) });

const UNDO = 2;
const KEEP = 1;

/** Imports a chatSessions `.json` (whole state) or `.jsonl` (mutation log) file; the form is told from the content. */
export function importTranscript(input: string | Uint8Array, options: TranscriptImportOptions): TranscriptImport {
  const text = transcriptText(input, options.path);
  const warnings: TranscriptWarning[] = [];
  let state: unknown;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{"kind"') || /\.jsonl$/i.test(options.path)) {
    const read = readJsonlRecords(text);
    warnings.push(...read.warnings);
    state = replayMutationLog(read.records, warnings);
  } else {
    try {
      state = JSON.parse(text);
    } catch {
      warnings.push({ message: `${options.path} is not valid JSON: nothing imported` });
    }
  }
  const out: TranscriptImport = { edits: [], prompts: [], warnings };
  const session = readLenient(Session, state);
  if (!session) {
    if (state !== undefined) warnings.push({ message: `${options.path} is not a chat session object: nothing imported` });
    return out;
  }
  importSession(session, options, out);
  return out;
}

/** Edits and prompts of an already-read chat session state. */
export function importSession(session: z.output<typeof Session>, options: TranscriptImportOptions, out: TranscriptImport): void {
  const conversationId = session.sessionId ?? baseNameWithoutExtension(options.path);
  const requests = session.requests ?? [];
  let fallback: string | undefined;
  for (const [r, request] of requests.entries()) {
    const requestId = request.requestId ?? `request:${r}`;
    const time = isoTime(request.timestamp) ?? isoTime(session.creationDate) ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), out.warnings));
    const model = requestModel(request);
    const toolVersion = request.agent?.extensionVersion;
    const promptText = request.message?.text;
    const prompt = promptText ? { text: promptText, time, turnId: requestId } : undefined;
    if (promptText) {
      out.prompts.push(promptEvent({ tool: TOOL, conversationId, turnId: requestId, text: promptText, time, source: 'transcript', model, ...(toolVersion ? { toolVersion } : {}) }));
    }
    const next = requests[r + 1];
    const verdicts = fileVerdicts(next?.editedFileEvents ?? []);
    for (const [g, item] of (request.response ?? []).entries()) {
      const group = readLenient(TextEditGroup, item);
      if (!group) continue;
      const filePath = vscodeUriPath(group.uri);
      if (!filePath) {
        out.warnings.push({ message: `request ${requestId.slice(0, 80)}: an edit group of a non-file document was skipped` });
        continue;
      }
      const verdict = verdicts.get(vscodeUriKey(group.uri) ?? '');
      const parts = (group.edits ?? []).flatMap((batch) => placeEditBatch(filePath, batch ?? []));
      if (parts.length === 0) continue;
      out.edits.push(
        ...editsFromParts(
          {
            tool: TOOL,
            ...(toolVersion ? { toolVersion } : {}),
            model,
            ...(prompt ? { prompt } : {}),
            conversationId,
            turnId: requestId,
            time,
            source: 'transcript',
            toolUseId: `${requestId}:${g}`,
            rejected: verdict === UNDO,
            pendingReview: !next && verdict === undefined && session.hasPendingEdits === true,
            detail: `chat session request ${r + 1} textEditGroup`,
          },
          parts,
        ),
      );
    }
  }
}

/** The request's model: its modelId, or for copilot/auto what the result says was used. */
export function requestModel(request: Pick<Request, 'modelId' | 'result'>): Model {
  const named = modelFromName(request.modelId);
  if (named !== 'unknown') return named;
  const meta = request.result?.metadata;
  const resolved = modelFromName(stringAt(meta, 'resolvedModel') ?? stringAt(meta, 'modelId') ?? stringAt(meta, 'model'));
  if (resolved !== 'unknown') return resolved;
  return modelFromDisplayName(request.result?.details);
}

/** uri key -> the last Keep/Undo event reported for the file. */
function fileVerdicts(events: readonly z.output<typeof EditedFileEvent>[]): Map<string, number> {
  const verdicts = new Map<string, number>();
  for (const e of events) {
    const key = vscodeUriKey(e.uri);
    if (key && (e.eventKind === UNDO || e.eventKind === KEEP)) verdicts.set(key, e.eventKind);
  }
  return verdicts;
}

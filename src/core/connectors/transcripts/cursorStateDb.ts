/**
 * Cursor's state database (`<Cursor user dir>/globalStorage/state.vscdb`, SQLite), table
 * `cursorDiskKV(key, value)`:
 *   `composerData:<composerId>` -> {modelConfig.modelName, createdAt, fullConversationHeadersOnly[{bubbleId,
 *     type 1=user 2=assistant}] (older: conversation[] of whole bubbles), codeBlockData[uri][id].status}
 *   `bubbleId:<composerId>:<bubbleId>` -> {type, text, createdAt, modelInfo.modelName, toolFormerData{name,
 *     toolCallId, status, rawArgs, result, userDecision, additionalData.codeblockId}}
 * An edit is an assistant bubble whose tool changed a file. Its `result.diff.chunks` are hunks with line
 * numbers (exact ranges); without them the patch, old/new strings or written contents are recorded
 * without position. The database is read from bytes (a copy of the file) with sql.js, read-only: Cursor's
 * own file is never opened for writing.
 */
import { z } from 'zod';
import type { Database, SqlValue } from 'sql.js';
import { loadSqlEngine } from '../../store/sqlEngine';
import { type EditPart, editsFromParts, wholeFilePart } from '../editBuilder';
import { firstString, lenientArray, objectOrJson, optNumber, optString, optTimeValue, readLenient, stringAt } from '../lenient';
import { HunkError } from '../lineBlocks';
import { modelFromName } from '../modelRef';
import { looksLikeCodexPatch, parseCodexPatch, PatchParseError } from '../patch/applyPatch';
import { partsFromPatch, partsFromStructuredPatch } from '../patch/patchEdits';
import { promptEvent } from '../promptEvents';
import { isoTime } from '../time';
import { fileUriToPath } from '../toRecords';
import type { AgentEdit, TranscriptImport, TranscriptImportOptions, TranscriptWarning } from '../types';
import type { Model } from '../../model/schema';
import { fallbackTimeOf } from './transcriptText';

const TOOL = 'cursor';

/** SQLite files start with this header: how the importer registry recognises a state database. */
export const SQLITE_HEADER = 'SQLite format 3\u0000';

const Header = z.looseObject({ bubbleId: z.string(), type: optNumber });
const Composer = z.looseObject({
  composerId: optString,
  createdAt: optTimeValue,
  modelConfig: z.looseObject({ modelName: optString }).optional().catch(undefined),
  fullConversationHeadersOnly: lenientArray(Header),
  conversation: lenientArray(z.looseObject({ bubbleId: z.string() })),
  codeBlockData: z.record(z.string(), z.record(z.string(), z.unknown())).optional().catch(undefined),
});
const Bubble = z.looseObject({
  bubbleId: optString,
  type: optNumber,
  text: optString,
  createdAt: optTimeValue,
  modelInfo: z.looseObject({ modelName: optString }).optional().catch(undefined),
  toolFormerData: z
    .looseObject({
      name: optString,
      toolCallId: optString,
      status: optString,
      rawArgs: z.unknown().optional(),
      result: z.unknown().optional(),
      userDecision: optString,
      additionalData: z.unknown().optional(),
    })
    .optional()
    .catch(undefined),
});
type Bubble = z.output<typeof Bubble>;
const DiffChunk = z.looseObject({ diffString: z.string(), oldStart: z.number(), newStart: z.number(), oldLines: optNumber, newLines: optNumber });

const EDIT_TOOLS = new Set(['edit_file', 'edit_file_v2', 'search_replace', 'write', 'apply_patch', 'multi_edit', 'create_file', 'Write', 'StrReplace', 'ApplyPatch', 'MultiEdit']);

export interface CursorStateDbOptions extends TranscriptImportOptions {
  /** Path of sql-wasm.wasm (default: next to the bundle, or node_modules/sql.js). */
  wasmPath?: string;
}

export async function importCursorStateDb(bytes: Uint8Array, options: CursorStateDbOptions): Promise<TranscriptImport> {
  const out: TranscriptImport = { edits: [], prompts: [], warnings: [] };
  if (new TextDecoder('latin1').decode(bytes.subarray(0, SQLITE_HEADER.length)) !== SQLITE_HEADER) {
    throw new Error(`${options.path} is not an SQLite database (no SQLite header): not a Cursor state.vscdb`);
  }
  const SQL = await loadSqlEngine(options.wasmPath);
  const db = new SQL.Database(bytes);
  try {
    if (!hasTable(db, 'cursorDiskKV')) {
      out.warnings.push({ message: `${options.path} has no cursorDiskKV table: no Cursor conversations in it` });
      return out;
    }
    for (const [key, raw] of rows(db, "SELECT key, value FROM cursorDiskKV WHERE key LIKE 'composerData:%'")) {
      const composerId = key.slice('composerData:'.length);
      const composer = readLenient(Composer, parseJson(raw));
      if (!composer) {
        out.warnings.push({ message: `composer ${composerId.slice(0, 80)}: its data is not a JSON object: skipped` });
        continue;
      }
      importComposer(db, composerId, composer, options, out);
    }
  } finally {
    db.close();
  }
  return out;
}

function importComposer(db: Database, composerId: string, composer: z.output<typeof Composer>, options: TranscriptImportOptions, out: TranscriptImport): void {
  // Newer composers list headers and keep each bubble under its own key; older ones hold the bubbles inline.
  const headers: { bubbleId: string; inline?: unknown }[] = composer.fullConversationHeadersOnly ?? (composer.conversation ?? []).map((b) => ({ bubbleId: b.bubbleId, inline: b }));
  const stmt = db.prepare('SELECT value FROM cursorDiskKV WHERE key = ?');
  const codeBlockStatus = codeBlockStatuses(composer.codeBlockData);
  const composerModel = modelFromName(composer.modelConfig?.modelName);
  let fallback: string | undefined;
  const timeOf = (b: Bubble) => isoTime(b.createdAt) ?? isoTime(composer.createdAt) ?? (fallback ??= fallbackTimeOf(isoTime(options.fallbackTime), out.warnings));
  let lastPrompt: AgentEdit['prompt'] | undefined;
  let turnModel: Model = composerModel;
  try {
    for (const { bubbleId, inline } of headers) {
      stmt.bind([`bubbleId:${composerId}:${bubbleId}`]);
      const raw = stmt.step() ? stmt.get()[0] : undefined;
      stmt.reset();
      if (raw === undefined && inline === undefined) continue; // headers can outlive their bubbles
      const bubble = readLenient(Bubble, raw !== undefined ? parseJson(raw) : inline);
      if (!bubble) {
        out.warnings.push({ message: `bubble ${bubbleId.slice(0, 80)} of composer ${composerId.slice(0, 80)} is not a JSON object: skipped` });
        continue;
      }
      const bubbleModel = modelFromName(bubble.modelInfo?.modelName);
      if (bubble.type === 1) {
        // The model chosen for a turn is on its user bubble; assistant bubbles rarely repeat it.
        if (bubbleModel !== 'unknown') turnModel = bubbleModel;
        const text = bubble.text?.trim() ?? '';
        if (text !== '') {
          const time = timeOf(bubble);
          lastPrompt = { text, time, turnId: bubbleId };
          out.prompts.push(promptEvent({ tool: TOOL, conversationId: composerId, turnId: bubbleId, text, time, source: 'transcript', ...(turnModel !== 'unknown' ? { model: turnModel } : {}) }));
        }
        continue;
      }
      const tool = bubble.toolFormerData;
      if (!tool?.name) continue;
      const result = objectOrJson(tool.result);
      const chunks = readLenient(lenientArray(DiffChunk), (objectOrJson(result?.diff) ?? {}).chunks) ?? [];
      if (!EDIT_TOOLS.has(tool.name) && chunks.length === 0) continue;
      const cbId = stringAt(tool.additionalData, 'codeblockId');
      const cbStatus = cbId ? codeBlockStatus.get(cbId) : undefined;
      const rejected = tool.userDecision === 'rejected' || cbStatus === 'rejected';
      if (!rejected && tool.status !== undefined && tool.status !== 'completed') continue; // errored or cancelled: nothing landed
      const parts = partsOfTool(tool.name, objectOrJson(tool.rawArgs), chunks, bubbleId, out.warnings);
      if (parts.length === 0) continue;
      const pendingReview = !rejected && tool.userDecision !== 'accepted' && cbStatus !== undefined && cbStatus !== 'accepted';
      out.edits.push(
        ...editsFromParts(
          {
            tool: TOOL,
            model: bubbleModel !== 'unknown' ? bubbleModel : turnModel,
            ...(lastPrompt ? { prompt: lastPrompt, turnId: lastPrompt.turnId } : {}),
            conversationId: composerId,
            time: timeOf(bubble),
            source: 'transcript',
            toolUseId: tool.toolCallId ?? bubbleId,
            rejected,
            pendingReview,
            detail: `state.vscdb bubble ${bubbleId.slice(0, 40)} ${tool.name}`,
          },
          parts,
        ),
      );
    }
  } finally {
    stmt.free();
  }
}

function partsOfTool(
  name: string,
  args: Record<string, unknown> | undefined,
  chunks: readonly z.output<typeof DiffChunk>[],
  bubbleId: string,
  warnings: TranscriptWarning[],
): EditPart[] {
  const rawPath = firstString(args, 'file_path', 'target_file', 'relativeWorkspacePath', 'path');
  const filePath = rawPath ? fileUriToPath(rawPath) : undefined;
  const patch = firstString(args, 'patch', 'input');
  if (filePath && chunks.length > 0) {
    try {
      return partsFromStructuredPatch(
        filePath,
        chunks.map((c) => ({ oldStart: c.oldStart, newStart: c.newStart, oldLines: c.oldLines, newLines: c.newLines, lines: c.diffString.replace(/\n$/, '').split('\n') })),
      );
    } catch (err) {
      if (!(err instanceof HunkError)) throw err;
      warnings.push({ message: `bubble ${bubbleId.slice(0, 80)}: ${err.message}; recorded without positions` });
    }
  }
  if (looksLikeCodexPatch(patch)) {
    try {
      const { parts, warnings: w } = partsFromPatch(parseCodexPatch(patch));
      warnings.push(...w.map((message) => ({ message: `bubble ${bubbleId.slice(0, 80)}: ${message}` })));
      return parts.map((p) => ({ ...p, filePath: fileUriToPath(p.filePath) }));
    } catch (err) {
      if (!(err instanceof PatchParseError)) throw err;
      warnings.push({ message: `bubble ${bubbleId.slice(0, 80)}: ${err.message}` });
      return [];
    }
  }
  if (!filePath) return [];
  if (typeof args?.old_string === 'string' && typeof args?.new_string === 'string') return [{ filePath, oldText: args.old_string, newText: args.new_string }];
  const contents = firstString(args, 'contents', 'content');
  if (contents !== undefined && /write|create/i.test(name)) return [wholeFilePart(filePath, contents)];
  // edit_file's code_edit is a sketch with "// ... existing code ..." markers: the text, without a position.
  const sketch = firstString(args, 'code_edit');
  return sketch !== undefined ? [{ filePath, newText: sketch }] : [];
}

/** codeblockId -> status ("accepted", "rejected", ...) across all files of a composer. */
function codeBlockStatuses(data: Record<string, Record<string, unknown>> | undefined): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const blocks of Object.values(data ?? {})) {
    for (const [id, block] of Object.entries(blocks)) {
      const status = stringAt(block, 'status');
      if (status) statuses.set(id, status);
    }
  }
  return statuses;
}

function hasTable(db: Database, name: string): boolean {
  const r = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
  return r.length > 0 && r[0].values.length > 0;
}

function* rows(db: Database, sql: string): Generator<[string, SqlValue]> {
  const stmt = db.prepare(sql);
  try {
    while (stmt.step()) {
      const [key, value] = stmt.get();
      if (typeof key === 'string') yield [key, value];
    }
  } finally {
    stmt.free();
  }
}

function parseJson(value: SqlValue | undefined): unknown {
  const text = typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What `lineagelens hook <tool>` does with a payload's events: enrich them with what the payload lacks
 * (the model from Claude Code's transcript, the conversation's latest prompt from the hook state, a
 * position found in the file), turn edits into records, and append them with the conversation's updated
 * session record. Imports stay narrow (no transcript importers, no SQLite) and the store is loaded only to
 * append: this runs once per agent tool call and its start-up time is the agent's waiting time.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { withModel } from '../../core/connectors/enrich';
import { editsFromFileChange } from '../../core/connectors/fileChangeEdits';
import { CLAUDE_TRANSCRIPT_TAIL_BYTES, modelFromClaudeTranscriptTail } from '../../core/connectors/hooks/claudeTranscriptModel';
import { rangeOfTextInFile } from '../../core/connectors/lineBlocks';
import { agentEditToRecords, PathOutsideRootError } from '../../core/connectors/toRecords';
import type { AgentEdit, AgentEvent, AgentFileChangeEvent, AgentPromptEvent, ConnectorTool, HookParseResult } from '../../core/connectors/types';
import { type ConversationState, ConversationStateFile, pruneConversationStates, rememberEdit } from '../../core/hookState/conversationState';
import { announceEdit, sweepInflight } from '../../core/hookState/inflightEdits';
import { MAX_SNAPSHOT_BYTES, PreEditSnapshots } from '../../core/hookState/preEditSnapshots';
import { RepoFactsCache } from '../../core/hookState/repoFacts';
import { addEditToTally, sessionRecordOf, withPrompt } from '../../core/hookState/sessionTally';
import type { Model, Prompt, ProvenanceRecord } from '../../core/model/schema';
import { contentFor, type PrivacyLevel } from '../../core/privacy/privacyLevel';
import type { HookOutcome } from './hookLog';
import { RecordContexts } from './hookRecordContext';

export interface HookRecordOptions {
  home: string;
  privacy: PrivacyLevel;
}

export interface HookRecordResult {
  outcome: HookOutcome;
  edits: number;
  prompts: number;
  skipped: number;
  messages: string[];
}

/**
 * Records the events of one parsed payload. A payload of pre_edit events only is handed here by tools
 * whose post-edit payloads may lack the change: the files are copied, to be diffed afterwards.
 */
export async function recordHookEvents(tool: ConnectorTool, parsed: HookParseResult, options: HookRecordOptions): Promise<HookRecordResult> {
  const result: HookRecordResult = { outcome: 'nothing_to_record', edits: 0, prompts: 0, skipped: 0, messages: [] };
  const first = parsed.events[0];
  if (!first) return result;
  const conversationId = first.parentConversationId ?? first.conversationId;
  const repoFacts = new RepoFactsCache(options.home);
  const contexts = new RecordContexts(true, repoFacts);
  const snapshots = new PreEditSnapshots(options.home, tool, conversationId);

  const preEdits = parsed.events.filter((e) => e.kind === 'pre_edit');
  if (preEdits.length === parsed.events.length) {
    const files: string[] = [];
    for (const pre of preEdits) for (const file of pre.filePaths) files.push(contexts.absolutePathOf({ filePath: file, cwd: pre.cwd }));
    for (const file of files) snapshots.take(file);
    snapshots.sweep();
    // A running editor joins the change it is about to see with the report that follows.
    if (files.length > 0) announceEdit(options.home, { tool, conversationId, ...(preEdits[0]?.toolUseId ? { toolUseId: preEdits[0].toolUseId } : {}), files, time: Date.now() });
    result.outcome = 'remembered';
    return result;
  }

  // git takes the longest: let it run while the state is locked and read and the transcript is read.
  for (const e of parsed.events) {
    if (e.kind === 'edit') contexts.prefetch(e);
    else if (e.kind === 'file_change') for (const filePath of e.filePaths) contexts.prefetch({ filePath, cwd: e.cwd });
  }
  const stateFile = new ConversationStateFile(options.home, tool, conversationId);
  const lease = await stateFile.acquire().catch((err: Error) => {
    // Waiting longer would hold up the agent: go on unguarded (at worst a session total misses an edit).
    result.messages.push(`conversation state lock: ${err.message}`);
    return undefined;
  });
  try {
    const loaded = stateFile.load();
    if (loaded.problem) result.messages.push(loaded.problem);
    const state = loaded.state;
    const prompts = parsed.events.filter((e): e is AgentPromptEvent => e.kind === 'prompt');
    for (const p of prompts) rememberPrompt(state, p, options.privacy);
    result.prompts = prompts.length;

    let edits = [...parsed.events.filter((e): e is AgentEdit => e.kind === 'edit'), ...editsOfFileChanges(parsed.events, snapshots, contexts, result)];
    if (edits.length === 0) {
      stateFile.save(state);
      if (prompts.length > 0) {
        result.outcome = 'remembered';
        pruneConversationStates(options.home);
      }
      return result;
    }
    for (const e of edits) snapshots.discard(contexts.absolutePathOf(e));
    const model = tool === 'claude-code' && parsed.context.transcriptPath ? modelFromTranscript(parsed.context.transcriptPath, result) : 'unknown';
    if (model !== 'unknown') state.model = model;
    // Cursor leaves Tab completions' model unknown on purpose (not the composer's model): no filling in there.
    if (tool !== 'cursor') edits = onlyEdits(withModel(edits, state.model ?? 'unknown'));
    const files = new FileTexts();
    edits = edits.map((e) => placed(e, contexts, files));

    const records = await recordsOf(edits, state, contexts, result);
    repoFacts.save();
    if (records.length === 0) {
      stateFile.save(state);
      return result;
    }
    const { openStore } = await import('../../core/store/provenanceStore');
    const store = await openStore({ home: options.home, index: 'none', privacy: options.privacy });
    try {
      await store.append(records);
    } finally {
      await store.close();
    }
    // Saved only once the records are durable: a failed append leaves the totals as they were.
    stateFile.save(state);
    sweepInflight(options.home);
    result.outcome = 'recorded';
    return result;
  } finally {
    await lease?.release().catch(() => undefined);
  }
}

function rememberPrompt(state: ConversationState, p: AgentPromptEvent, privacy: PrivacyLevel): void {
  const prompt: Prompt = {
    content: contentFor(p.text, privacy, 'prompt'),
    source: 'hook',
    ...(p.turnId ? { turnId: p.turnId.slice(0, 200) } : {}),
    time: p.time,
  };
  state.prompts = withPrompt(state.prompts, prompt);
  if (p.model && p.model !== 'unknown') state.model = p.model;
}

/** Edits of the files a file_change event names, diffed against their pre-edit copies. */
function editsOfFileChanges(events: readonly AgentEvent[], snapshots: PreEditSnapshots, contexts: RecordContexts, result: HookRecordResult): AgentEdit[] {
  const edits: AgentEdit[] = [];
  for (const change of events.filter((e): e is AgentFileChangeEvent => e.kind === 'file_change')) {
    for (const file of change.filePaths) {
      const absolute = contexts.absolutePathOf({ filePath: file, cwd: change.cwd });
      const copy = snapshots.takeBack(absolute);
      const after = readTextFile(absolute);
      if ('missing' in copy || after === undefined) {
        result.skipped++;
        result.messages.push(`${file}: not recorded, ${'missing' in copy ? copy.missing : `it cannot be read as text (or is over ${MAX_SNAPSHOT_BYTES} bytes)`}`);
        continue;
      }
      edits.push(...editsFromFileChange(change, file, copy.before, after));
    }
  }
  return edits;
}

/** Records for the edits, the latest prompt attached, plus the session record with the updated totals. */
async function recordsOf(edits: readonly AgentEdit[], state: ConversationState, contexts: RecordContexts, result: HookRecordResult): Promise<ProvenanceRecord[]> {
  const records: ProvenanceRecord[] = [];
  const latestPrompt = state.prompts.at(-1);
  let sessionId: string | undefined;
  for (const agentEdit of edits) {
    const { edit: resolved, context } = await contexts.forEdit(agentEdit);
    let pair;
    try {
      pair = agentEditToRecords(resolved, context);
    } catch (err) {
      if (!(err instanceof PathOutsideRootError)) throw err;
      result.skipped++;
      result.messages.push(err.message);
      continue;
    }
    if (!rememberEdit(state, pair.edit.id)) {
      result.messages.push(`edit ${pair.edit.id} was recorded already: skipped`);
      continue;
    }
    if (pair.edit.prompt === null && latestPrompt) pair.edit.prompt = latestPrompt;
    state.session = addEditToTally(state.session, pair.edit, pair.session);
    sessionId = pair.session.id;
    records.push(pair.edit);
    result.edits++;
  }
  if (sessionId && state.session) records.push(sessionRecordOf(sessionId, state.session, state.prompts, { method: 'hook', confidence: 1 }));
  return records;
}

/** An edit without a position gets one when its text occurs exactly once in the file as it is now. */
function placed(edit: AgentEdit, contexts: RecordContexts, files: FileTexts): AgentEdit {
  if (edit.range || edit.rejected || edit.newText === '') return edit;
  const text = files.get(contexts.absolutePathOf(edit));
  const range = text === undefined ? undefined : rangeOfTextInFile(text, edit.newText);
  return range ? { ...edit, range } : edit;
}

/** File texts read once per invocation (a payload may hold several edits of one file). */
class FileTexts {
  private readonly texts = new Map<string, string | undefined>();

  get(absolute: string): string | undefined {
    if (!this.texts.has(absolute)) this.texts.set(absolute, readTextFile(absolute));
    return this.texts.get(absolute);
  }
}

function onlyEdits(events: readonly AgentEvent[]): AgentEdit[] {
  return events.filter((e): e is AgentEdit => e.kind === 'edit');
}

/** The model of the conversation's latest assistant line, from the end of its transcript. */
function modelFromTranscript(transcriptPath: string, result: HookRecordResult): Model {
  let fd: number | undefined;
  try {
    fd = openSync(transcriptPath, 'r');
    const size = statSync(transcriptPath).size;
    const length = Math.min(size, CLAUDE_TRANSCRIPT_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n <= 0) break;
      read += n;
    }
    return modelFromClaudeTranscriptTail(buffer.subarray(0, read).toString('utf8'));
  } catch (err) {
    result.messages.push(`cannot read the transcript for the model (${(err as NodeJS.ErrnoException).code ?? (err as Error).name}): model unknown`);
    return 'unknown';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A file's text, or undefined when it is missing, binary or over the snapshot cap. */
function readTextFile(absolute: string): string | undefined {
  try {
    if (statSync(absolute).size > MAX_SNAPSHOT_BYTES) return undefined;
    const bytes = readFileSync(absolute);
    return bytes.includes(0) ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}


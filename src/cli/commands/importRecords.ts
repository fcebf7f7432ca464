/**
 * The records of one `lineagelens import` run: transcript files in, edits appended file by file, and at
 * the end one session record per session that gained edits. Ids are deterministic, so an edit already in
 * the store (an earlier import, or a Claude Code hook) is skipped rather than appended again: importing
 * the same file twice leaves the journal as it was. A session that gained edits is merged with the
 * version the store holds (its counts cover disjoint edits, so they add up).
 */
import { readFileSync, statSync } from 'node:fs';
import { conversationSessionId } from '../../core/capture/sessions';
import { agentEditToRecords, agentPromptToPrompt, PathOutsideRootError } from '../../core/connectors/toRecords';
import { detectTranscriptFormat, importTranscriptFile } from '../../core/connectors/transcripts/importers';
import type { ConnectorTool, TranscriptWarning } from '../../core/connectors/types';
import { addEditToTally, mergeSessionRecords, type SessionTally, sessionRecordOf, withPrompt } from '../../core/hookState/sessionTally';
import type { AiEditSession, EditEvent, Prompt } from '../../core/model/schema';
import type { ProvenanceStore } from '../../core/store/provenanceStore';
import { RecordContexts } from './hookRecordContext';

/** Larger files are refused: transcripts are megabytes; a Cursor state database can be hundreds. */
export const MAX_IMPORT_FILE_BYTES = 1024 * 1024 * 1024;
const BATCH = 1_000;

export interface FileReport {
  path: string;
  format?: string;
  /** Edits the file describes. */
  edits: number;
  imported: number;
  /** Already in the store, or twice in this run. */
  alreadyStored: number;
  /** Files outside any repository root and the agent's cwd. */
  notRecorded: number;
  warnings: TranscriptWarning[];
  error?: string;
}

interface OpenSession {
  tally?: SessionTally;
  prompts: Prompt[];
}

export class ImportRun {
  private readonly contexts = new RecordContexts(false);
  private readonly sessions = new Map<string, OpenSession>();
  private readonly seenIds = new Set<string>();

  constructor(
    private readonly tool: ConnectorTool,
    private readonly store: ProvenanceStore,
  ) {}

  async importFile(file: string): Promise<FileReport> {
    const report: FileReport = { path: file, edits: 0, imported: 0, alreadyStored: 0, notRecorded: 0, warnings: [] };
    let bytes: Buffer;
    let mtime: Date;
    try {
      const stat = statSync(file);
      if (stat.size > MAX_IMPORT_FILE_BYTES) throw new Error(`it is ${stat.size} bytes, over the ${MAX_IMPORT_FILE_BYTES}-byte limit`);
      mtime = stat.mtime;
      bytes = readFileSync(file);
    } catch (err) {
      report.error = `cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      return report;
    }
    let transcript;
    try {
      const format = detectTranscriptFormat(this.tool, file, bytes.subarray(0, 4096));
      report.format = format;
      transcript = await importTranscriptFile(format, bytes, { path: file, fallbackTime: mtime.toISOString() });
    } catch (err) {
      report.error = (err as Error).message;
      return report;
    }
    report.warnings.push(...transcript.warnings);
    report.edits = transcript.edits.length;
    for (const p of transcript.prompts) {
      const session = this.session(conversationSessionId(p.tool, p.parentConversationId ?? p.conversationId));
      session.prompts = withPrompt(session.prompts, agentPromptToPrompt(p));
    }
    const fresh: { edit: EditEvent; session: AiEditSession }[] = [];
    for (const agentEdit of transcript.edits) {
      const { edit, context } = await this.contexts.forEdit(agentEdit);
      try {
        const pair = agentEditToRecords(edit, context);
        if (this.seenIds.has(pair.edit.id)) report.alreadyStored++;
        else {
          this.seenIds.add(pair.edit.id);
          fresh.push(pair);
        }
      } catch (err) {
        if (!(err instanceof PathOutsideRootError)) throw err;
        report.notRecorded++;
        report.warnings.push({ message: err.message });
      }
    }
    for (let i = 0; i < fresh.length; i += BATCH) {
      const batch = fresh.slice(i, i + BATCH);
      const stored = await this.store.getRecords(batch.map((p) => p.edit.id));
      const added = batch.filter((_, j) => stored[j] === null);
      report.alreadyStored += batch.length - added.length;
      if (added.length === 0) continue;
      await this.store.append(added.map((p) => p.edit));
      report.imported += added.length;
      for (const p of added) {
        const session = this.session(p.session.id);
        session.tally = addEditToTally(session.tally, p.edit, p.session);
        if (p.edit.prompt) session.prompts = withPrompt(session.prompts, p.edit.prompt);
      }
    }
    return report;
  }

  /** Appends the session record of every session that gained edits; returns how many. */
  async finishSessions(): Promise<number> {
    const records: AiEditSession[] = [];
    const ids = [...this.sessions].filter(([, s]) => s.tally).map(([id]) => id);
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const stored = await this.store.getRecords(batch);
      batch.forEach((id, j) => {
        const open = this.sessions.get(id)!;
        const prompts = [...open.prompts].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
        const added = sessionRecordOf(id, open.tally!, prompts, { method: 'transcript', confidence: 1 });
        const before = stored[j];
        records.push(before?.kind === 'session' ? mergeSessionRecords(before, added) : added);
      });
    }
    for (let i = 0; i < records.length; i += BATCH) await this.store.append(records.slice(i, i + BATCH));
    return records.length;
  }

  private session(id: string): OpenSession {
    let s = this.sessions.get(id);
    if (!s) {
      s = { prompts: [] };
      this.sessions.set(id, s);
    }
    return s;
  }
}

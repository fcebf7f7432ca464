/**
 * Keeps the AiEditSession record of each open session current as its edits arrive and their
 * dispositions change. Each update is the whole record again under the same id (the store keeps the
 * latest, the journal keeps the history).
 */
import { SCHEMA_ID, type AiEditSession, type Capture, type EditEvent, type Model, type Prompt, type RepoIdentity, type Tool } from '../model/schema';

interface SessionTally {
  record: AiEditSession;
  /** Lines each edit added, and whether it was rejected, so counts can be recomputed when dispositions change. */
  edits: Map<string, { lines: number; rejected: boolean }>;
}

const MAX_OPEN_SESSIONS = 1_000;

export function linesOf(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

export class SessionRecords {
  private readonly sessions = new Map<string, SessionTally>();

  /** Adds an edit to its session and returns the session's updated record. */
  addEdit(edit: EditEvent, insertedText: string, session: { conversationId?: string; repo: RepoIdentity | null; capture: Capture }): AiEditSession {
    let tally = this.sessions.get(edit.sessionId);
    if (!tally) {
      tally = {
        record: {
          schema: SCHEMA_ID,
          kind: 'session',
          id: edit.sessionId,
          tool: edit.tool,
          model: edit.model,
          ...(session.conversationId ? { conversationId: session.conversationId } : {}),
          prompts: [],
          repo: session.repo,
          files: [],
          startedAt: edit.time,
          endedAt: edit.time,
          counts: { linesAdded: 0, linesKept: 0, linesRejected: 0 },
          capture: session.capture,
        },
        edits: new Map(),
      };
      this.sessions.set(edit.sessionId, tally);
      this.evictOldest();
    }
    const r = tally.record;
    if (!r.files.includes(edit.file.path)) r.files.push(edit.file.path);
    if (edit.time < r.startedAt) r.startedAt = edit.time;
    if (edit.time > r.endedAt) r.endedAt = edit.time;
    if (edit.model !== 'unknown') r.model = edit.model;
    if (edit.prompt && !r.prompts.some((p) => samePrompt(p, edit.prompt!))) r.prompts.push(edit.prompt);
    tally.edits.set(edit.id, { lines: linesOf(insertedText), rejected: edit.disposition === 'rejected' });
    this.recount(tally);
    return structuredClone(r);
  }

  /** Records a disposition change of an edit; returns the updated session record, if the session is known. */
  setDisposition(sessionId: string, editId: string, rejected: boolean): AiEditSession | undefined {
    const tally = this.sessions.get(sessionId);
    const edit = tally?.edits.get(editId);
    if (!tally || !edit) return undefined;
    edit.rejected = rejected;
    this.recount(tally);
    return structuredClone(tally.record);
  }

  /** Enrich an open session with what an agent connector knows. */
  enrich(sessionId: string, info: { model?: Model; prompt?: Prompt; tool?: Tool }): AiEditSession | undefined {
    const tally = this.sessions.get(sessionId);
    if (!tally) return undefined;
    if (info.model) tally.record.model = info.model;
    if (info.tool) tally.record.tool = info.tool;
    if (info.prompt && !tally.record.prompts.some((p) => samePrompt(p, info.prompt!))) tally.record.prompts.push(info.prompt);
    return structuredClone(tally.record);
  }

  private recount(tally: SessionTally): void {
    let added = 0;
    let rejected = 0;
    for (const e of tally.edits.values()) {
      added += e.lines;
      if (e.rejected) rejected += e.lines;
    }
    tally.record.counts = { linesAdded: added, linesKept: added - rejected, linesRejected: rejected };
  }

  private evictOldest(): void {
    while (this.sessions.size > MAX_OPEN_SESSIONS) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }
}

function samePrompt(a: Prompt, b: Prompt): boolean {
  const ha = a.content.form === 'none' ? undefined : a.content.sha256;
  const hb = b.content.form === 'none' ? undefined : b.content.sha256;
  return (a.turnId !== undefined && a.turnId === b.turnId) || (ha !== undefined && ha === hb);
}

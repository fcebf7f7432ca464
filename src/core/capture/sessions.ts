/**
 * Groups AI edits into AI edit sessions. Rule: the same tool and the same conversation id when the
 * source knows one; otherwise the same tool with no idle gap longer than `idleGapMs` between edits.
 * Sessions span files. Pure: time comes from the edits, so replaying the same edits gives the same sessions.
 */
import { sha256Hex } from '../model/content';
import { timeSortableId } from '../model/ids';

export interface SessionableEdit {
  tool: string;
  conversationId?: string;
  time: number;
  file: string;
}

export interface SessionState {
  id: string;
  tool: string;
  conversationId?: string;
  startedAt: number;
  endedAt: number;
  files: Set<string>;
  edits: number;
}

export const DEFAULT_IDLE_GAP_MS = 5 * 60_000;

export class SessionGrouper {
  /** Open sessions by grouping key. */
  private readonly open = new Map<string, SessionState>();

  constructor(
    private readonly idleGapMs: number = DEFAULT_IDLE_GAP_MS,
    private readonly newId: (time: number) => string = (t) => timeSortableId('ses', t),
  ) {}

  /** The session this edit belongs to (created when needed). */
  assign(edit: SessionableEdit): SessionState {
    const key = edit.conversationId ? `${edit.tool}\u0000conv\u0000${edit.conversationId}` : `${edit.tool}\u0000gap`;
    let session = this.open.get(key);
    // A conversation stays one session however long its pauses; gap-grouped sessions end after the gap.
    if (session && !edit.conversationId && edit.time - session.endedAt > this.idleGapMs) session = undefined;
    if (!session) {
      session = {
        id: edit.conversationId ? conversationSessionId(edit.tool, edit.conversationId) : this.newId(edit.time),
        tool: edit.tool,
        ...(edit.conversationId ? { conversationId: edit.conversationId } : {}),
        startedAt: edit.time,
        endedAt: edit.time,
        files: new Set(),
        edits: 0,
      };
      this.open.set(key, session);
    }
    session.startedAt = Math.min(session.startedAt, edit.time);
    session.endedAt = Math.max(session.endedAt, edit.time);
    session.files.add(edit.file);
    session.edits++;
    return session;
  }

  /** Forget gap-grouped sessions idle for longer than the gap (bounded memory over long runs). */
  closeIdle(now: number): SessionState[] {
    const closed: SessionState[] = [];
    for (const [key, s] of this.open) {
      if (now - s.endedAt > this.idleGapMs) {
        closed.push(s);
        this.open.delete(key);
      }
    }
    return closed;
  }
}

/**
 * A conversation's session id is derived from the tool and the conversation id, so every process that
 * sees the same conversation (the extension, a hook process, an import) names the same session.
 */
export function conversationSessionId(tool: string, conversationId: string): string {
  return `ses_${sha256Hex(`${tool}\u0000${conversationId}`).slice(0, 26)}`;
}

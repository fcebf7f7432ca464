import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../core/model/schema';

/** Finds records by id: the recent in-memory view first, then the local store. */
export interface RecordLookup {
  get(id: string): Promise<ProvenanceRecord | undefined>;
  /** The most recent sessions, newest first. */
  recentSessions(limit: number): Promise<AiEditSession[]>;
  /** The edits of a session, oldest first. */
  sessionEdits(sessionId: string): Promise<EditEvent[]>;
}

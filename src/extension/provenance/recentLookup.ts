import type { RecentRecords } from '../../core/capture/recentRecords';
import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../core/model/schema';
import type { RecordLookup } from './recordLookup';

/** Record lookup over the records this editor wrote recently, falling back to an older source (the store). */
export class LayeredRecordLookup implements RecordLookup {
  constructor(
    private readonly recent: RecentRecords,
    private readonly older?: RecordLookup,
  ) {}

  async get(id: string): Promise<ProvenanceRecord | undefined> {
    return this.recent.get(id) ?? (await this.older?.get(id));
  }

  async recentSessions(limit: number): Promise<AiEditSession[]> {
    const byId = new Map<string, AiEditSession>();
    for (const s of (await this.older?.recentSessions(limit)) ?? []) byId.set(s.id, s);
    for (const r of this.recent.all()) if (r.kind === 'session') byId.set(r.id, r);
    return [...byId.values()].sort((a, b) => b.endedAt.localeCompare(a.endedAt)).slice(0, limit);
  }

  async sessionEdits(sessionId: string): Promise<EditEvent[]> {
    const byId = new Map<string, EditEvent>();
    for (const e of (await this.older?.sessionEdits(sessionId)) ?? []) byId.set(e.id, e);
    for (const r of this.recent.all()) if (r.kind === 'edit' && r.sessionId === sessionId) byId.set(r.id, r);
    return [...byId.values()].sort((a, b) => a.time.localeCompare(b.time));
  }
}

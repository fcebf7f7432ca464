/**
 * The latest version of recently written records, by id, in memory and bounded: what the editor shows
 * right after an edit (and what integration tests inspect) without a round trip to the store.
 */
import type { ProvenanceRecord } from '../model/schema';

export class RecentRecords {
  private readonly byId = new Map<string, ProvenanceRecord>();

  constructor(private readonly capacity = 5_000) {}

  add(records: readonly ProvenanceRecord[]): void {
    for (const r of records) {
      this.byId.delete(r.id); // re-insert so the newest version is also the most recent entry
      this.byId.set(r.id, r);
    }
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value as string);
  }

  all(): ProvenanceRecord[] {
    return [...this.byId.values()];
  }

  get(id: string): ProvenanceRecord | undefined {
    return this.byId.get(id);
  }
}

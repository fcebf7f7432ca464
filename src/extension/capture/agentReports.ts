import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import { AGENT_JOIN_WINDOW_MS } from '../../core/capture/agentJoin';
import type { AgentEditSource } from '../../core/capture/pipeline';
import { findInflightEdits } from '../../core/hookState/inflightEdits';
import type { EditEvent, FileRef } from '../../core/model/schema';
import type { StoreService } from '../store/storeService';

/**
 * What agents said about their edits, for capture to join with what the editor saw: announcements left by
 * their pre-edit hooks (`<store home>/hooks/inflight/`) and the records their hooks and transcript imports
 * wrote to the shared store (other processes: the store catches up with them on each query).
 */
export class StoreAgentReports implements AgentEditSource {
  constructor(private readonly store: StoreService) {}

  async announced(uri: string, time: number): Promise<boolean> {
    const parsed = vscode.Uri.parse(uri);
    if (parsed.scheme !== 'file') return false;
    const since = time - AGENT_JOIN_WINDOW_MS;
    const candidates = new Set([parsed.fsPath]);
    try {
      candidates.add(realpathSync(parsed.fsPath)); // the agent may name the file through a symlink, or not
    } catch {
      // gone already: compare the path as it is
    }
    return [...candidates].some((p) => findInflightEdits(this.store.home, p, since).length > 0);
  }

  async reported(file: FileRef, time: number): Promise<EditEvent[]> {
    const store = await this.store.open();
    const page = await store.query({
      repoId: file.repo?.id ?? null,
      path: file.path,
      kind: 'edit',
      live: false,
      since: new Date(time - AGENT_JOIN_WINDOW_MS).toISOString(),
      until: new Date(time + AGENT_JOIN_WINDOW_MS).toISOString(),
      limit: 200,
    });
    const agentHits = page.hits.filter((h) => h.tool !== 'external');
    if (agentHits.length === 0) return [];
    const records = await store.getRecords(agentHits.map((h) => h.seq));
    return records.filter((r): r is EditEvent => r?.kind === 'edit' && (r.capture.method === 'hook' || r.capture.method === 'transcript'));
  }
}

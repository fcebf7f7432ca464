import * as vscode from 'vscode';
import { SyncPrivacy } from '../../core/sync/syncSchedule';
import { serverKey } from '../../core/sync/syncClient';

export interface SyncSettings {
  enabled: boolean;
  /** The server as the outbox names it (scheme, host, port, path), or undefined when unset or not http(s). */
  server: string | undefined;
  privacy: SyncPrivacy;
  repositories: string[];
  intervalMs: number;
}

/** The `lineagelens.sync.*` settings, validated (a bad value falls back to the default, never to "more"). */
export function readSyncSettings(): SyncSettings {
  const config = vscode.workspace.getConfiguration('lineagelens.sync');
  const raw = config.get<string>('serverUrl', '').trim();
  let server: string | undefined;
  try {
    server = raw ? serverKey(raw) : undefined;
  } catch {
    server = undefined;
  }
  const privacy = SyncPrivacy.safeParse(config.get('privacy'));
  const repos = config.get<unknown>('repositories', []);
  const minutes = config.get<number>('intervalMinutes', 5);
  return {
    enabled: config.get<boolean>('enabled', false) === true,
    server,
    // An unknown value: the strictest level rather than the default.
    privacy: privacy.success ? privacy.data : 'hash',
    repositories: Array.isArray(repos) ? repos.filter((r): r is string => typeof r === 'string' && r.trim() !== '') : [],
    intervalMs: Math.max(1, Number.isFinite(minutes) ? minutes : 5) * 60_000,
  };
}

import type { ProvenanceRecord } from '../core/model/schema';
import type { CaptureCounts } from '../core/capture/pipeline';
import type { SyncState } from './sync/syncService';

/**
 * What `activate()` returns. Other extensions (and our integration tests) reach LineageLens through
 * this object; keep it small and stable.
 */
export interface LineageLensApi {
  readonly version: string;
  /** Hooks for integration tests in a real extension host. Cheap, read-mostly, no side effects on data. */
  readonly testing: {
    /** Content-change events the capture listener has recorded for this document (uri.toString()). */
    changesSeen(uri: string): number;
    /** Wait until everything recorded so far has been processed off the hot path. */
    flush(): Promise<void>;
    /** Lines our gutter decorator currently draws in visible editors of this document. */
    decoratedLineCount(uri: string): number;
    /** Decorate these 0-based lines of the document through the gutter decorator. */
    setTestDecoration(uri: string, lines: number[]): void;
    /** Loads the bundled SQLite engine (lazily, as the store does) and returns SQLite's version. */
    sqliteVersion(): Promise<string>;
    /** Our activation cost in ms: evaluating the bundle plus the activate() call. */
    activationMs(): number;
    /** Resolves when every change recorded so far has been classified and its records written. */
    captureIdle(): Promise<void>;
    /** AI lines of an open document as line tracking sees them now (0-based). */
    aiLines(uri: string): { line: number; recordId: string; modified: boolean }[];
    /** The status bar's AI share text for the active editor ('' when hidden). */
    statusBarText(): string;
    /** Session ids listed in the sessions view, newest first. */
    listedSessionIds(): Promise<string[]>;
    /** Records as the local store holds them now (latest version of each id), optionally for one file path. */
    storedRecords(repoRelativePath?: string): Promise<ProvenanceRecord[]>;
    /** The store's folder. */
    storeHome(): string;
    /** The latest version of each record written recently (edits and sessions), oldest first. */
    records(): ProvenanceRecord[];
    /** How many change events capture classified as AI, human, external, or did not record. */
    captureCounts(): CaptureCounts;
    /** Commit detection: whether the built-in git extension is used, and the commits bound so far. */
    commitWatcher(): { watching: 'pending' | 'git-extension' | 'no-git-extension'; bound: { commit: string; aiLines: number }[] };
    /** Binds one commit as commit detection does (for hosts without the git extension). */
    bindCommit(repoDir: string, commit: string): Promise<{ commit: string; aiLines: number } | null>;
    /** Team-server sync as the status bar shows it (text and tooltip are '' while the item is hidden). */
    syncState(): SyncState & { text: string; tooltip: string; visible: boolean };
    /** This workspace's folder in the editor's workspace storage (where Copilot keeps chatSessions). */
    workspaceStorageDir(): string | undefined;
  };
}

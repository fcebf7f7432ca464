/**
 * Decides, for each document change the editor reported, whether it is AI or human — exactly, from
 * explicit signals only. The one rule that makes attribution trustworthy: a change is AI only when a
 * source CLAIMED it before it arrived (our Tab wrapper, a chat-editing session, an agent connector).
 * Typing, paste, undo/redo, snippets, formatting, refactors and multi-cursor edits carry no claim, so they
 * are human by construction; no heuristic can turn them into AI.
 *
 * Pure and synchronous: the extension feeds it plain data drained from the change queue, off the hot path.
 */
import type { CaptureMethod, Tool } from '../model/schema';

export interface ObservedContentChange {
  /** Offset and length in the document BEFORE this event (VS Code's rangeOffset/rangeLength). */
  offset: number;
  length: number;
  text: string;
  /** 0-based line/character range in the document before the event. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface ObservedChange {
  uri: string;
  /** Document version after the change. */
  version: number;
  time: number;
  reason: 'undo' | 'redo' | undefined;
  changes: readonly ObservedContentChange[];
  /**
   * As reported by the editor: the document was clean right after this change (a reload, a revert — or
   * the first edit after a save, which the editor reports before it marks the document dirty). The
   * pipeline confirms it against the disk before classifying; the classifier trusts the confirmed value.
   */
  cleanAfter?: boolean;
}

/** What a source announces just before it changes a document. */
export interface Claim {
  uri: string;
  /** The document's version when the claim was made; the claimed change comes after it. */
  versionBefore: number;
  time: number;
  method: CaptureMethod;
  confidence: number;
  tool: Tool;
  /** e.g. the accept command, or the chat session id. Never code or prompt text. */
  detail?: string;
  /** The tool's conversation/session id when known (groups edits into one AI edit session). */
  conversationId?: string;
  /** How many change events the claim covers (an agent's multi-step edit of one file can be several). */
  maxEvents?: number;
  /** Until when the claim lives (default: `time + CLAIM_WINDOW_MS`). A chat-editing session claims longer. */
  expiresAt?: number;
  /**
   * Leave single keystrokes to the human even while the claim is live: a person may type in a file while an
   * agent session holds it, and a keystroke must never be recorded as AI.
   */
  skipKeystrokes?: boolean;
}

export type Classification =
  | { kind: 'ai'; claim: Claim }
  | { kind: 'human'; why: 'typing' | 'paste' | 'undo' | 'redo' | 'other' }
  | { kind: 'external'; claim: Claim };

/** How long a claim waits for its change. Long enough for a slow host round trip, short enough to be exact. */
export const CLAIM_WINDOW_MS = 3_000;

/** A reload and the file watcher's report of the disk write arrive separately, in either order, this close. */
export const DISK_CHANGE_WINDOW_MS = 3_000;

/** How an unvouched write on disk is recorded: never human typing, never AI without a connector. */
export const EXTERNAL_WRITE_CLAIM: Pick<Claim, 'method' | 'confidence' | 'tool' | 'detail'> = {
  method: 'external',
  confidence: 0.3,
  tool: { name: 'external' },
  detail: 'file changed on disk',
};

export class ChangeClassifier {
  private readonly claims = new Map<string, (Claim & { used: number })[]>();
  private readonly pastes = new Map<string, number>();
  private readonly diskChanges = new Map<string, number>();

  /** A source says: the next change(s) of this document after `versionBefore` are mine. */
  claim(claim: Claim): void {
    const list = this.claims.get(claim.uri) ?? [];
    list.push({ ...claim, used: 0 });
    this.claims.set(claim.uri, list);
  }

  /** The file watcher saw this document's file change on disk. */
  noteDiskChange(uri: string, time: number): void {
    this.diskChanges.set(uri, time);
  }

  /** Whether a disk change near this change's time has been noted (the pipeline waits briefly for one). */
  hasDiskChangeFor(change: ObservedChange): boolean {
    const at = this.diskChanges.get(change.uri);
    return at !== undefined && Math.abs(change.time - at) <= DISK_CHANGE_WINDOW_MS;
  }

  /** A paste is about to happen in this document at this version (seen by a paste observer). */
  notePaste(uri: string, versionBefore: number): void {
    this.pastes.set(uri, versionBefore);
  }

  /** End every live claim of a document made with this method (e.g. the chat-editing session closed). */
  endClaims(uri: string, method: CaptureMethod): void {
    const list = this.claims.get(uri);
    if (!list) return;
    const kept = list.filter((c) => c.method !== method);
    if (kept.length) this.claims.set(uri, kept);
    else this.claims.delete(uri);
  }

  /** Drop a claim that never materialised (e.g. the accept command found nothing to accept). */
  withdraw(uri: string, versionBefore: number, method: CaptureMethod): void {
    const list = this.claims.get(uri);
    if (!list) return;
    const kept = list.filter((c) => !(c.versionBefore === versionBefore && c.method === method && c.used === 0));
    if (kept.length) this.claims.set(uri, kept);
    else this.claims.delete(uri);
  }

  classify(change: ObservedChange): Classification {
    this.expire(change.time);
    if (change.reason === 'undo') return { kind: 'human', why: 'undo' };
    if (change.reason === 'redo') return { kind: 'human', why: 'redo' };

    // A reload from disk is the only change that leaves a document clean and has a disk write next to it;
    // a revert leaves it clean too but has no write (it is the person's). Nothing else can match, so an
    // unchanged rewrite of the file, or a save, never claims a later edit.
    if (change.cleanAfter && this.hasDiskChangeFor(change)) {
      this.diskChanges.delete(change.uri);
      return { kind: 'external', claim: { uri: change.uri, versionBefore: change.version - 1, time: change.time, ...EXTERNAL_WRITE_CLAIM } };
    }

    const pasteVersion = this.pastes.get(change.uri);
    if (pasteVersion !== undefined && change.version > pasteVersion) {
      this.pastes.delete(change.uri);
      return { kind: 'human', why: 'paste' };
    }

    const list = this.claims.get(change.uri);
    if (list) {
      // The earliest live claim whose version precedes this change owns it.
      const keystroke = isSingleKeystroke(change);
      const claim = list.find(
        (c) => c.versionBefore < change.version && c.used < (c.maxEvents ?? 1) && !(c.skipKeystrokes && keystroke),
      );
      if (claim) {
        claim.used++;
        if (claim.used >= (claim.maxEvents ?? 1)) list.splice(list.indexOf(claim), 1);
        if (list.length === 0) this.claims.delete(change.uri);
        const { used: _used, ...plain } = claim;
        return plain.method === 'external' ? { kind: 'external', claim: plain } : { kind: 'ai', claim: plain };
      }
    }
    return { kind: 'human', why: isSingleKeystroke(change) ? 'typing' : 'other' };
  }

  /** Claims still waiting, for diagnostics. */
  get pendingClaims(): number {
    let n = 0;
    for (const list of this.claims.values()) n += list.length;
    return n;
  }

  private expire(now: number): void {
    for (const [uri, at] of this.diskChanges) if (now - at > DISK_CHANGE_WINDOW_MS) this.diskChanges.delete(uri);
    for (const [uri, list] of this.claims) {
      const live = list.filter((c) => now <= (c.expiresAt ?? c.time + CLAIM_WINDOW_MS));
      if (live.length) this.claims.set(uri, live);
      else this.claims.delete(uri);
    }
  }
}

const AUTO_CLOSED_PAIRS = new Set(['()', '[]', '{}', '""', "''", '``', '<>']);

/**
 * What one key press can produce: one character (or a deletion of one), Enter with the editor's
 * auto-indent (a line break plus whitespace), or an auto-closed pair. Multi-cursor typing is the same
 * keystroke at every cursor.
 */
export function isSingleKeystroke(change: ObservedChange): boolean {
  return change.changes.every(
    (c) => c.length <= 1 && (c.text.length <= 1 || /^\r?\n[ \t]*$/.test(c.text) || AUTO_CLOSED_PAIRS.has(c.text)),
  );
}

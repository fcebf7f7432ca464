/**
 * What the user did with an AI edit after it landed: kept it, undid it (rejected), or changed part of it
 * (partially kept). Decided from the edits that follow, exactly: an undo counts as a rejection only when it
 * removes precisely the text the AI inserted, where it was inserted, within the undo window; a redo that puts
 * the same text back restores it. Offsets of tracked edits are kept current through later changes.
 */
import type { Disposition } from '../model/schema';
import type { ObservedChange } from './classifier';

export interface TrackedAiEdit {
  id: string;
  uri: string;
  /** Offset of the inserted text in the current document. */
  offset: number;
  insertedText: string;
  /** Length of the text the AI edit replaced (what an undo puts back). */
  replacedLength: number;
  time: number;
  disposition: Disposition;
}

export interface DispositionChange {
  id: string;
  disposition: Disposition;
}

export const DEFAULT_UNDO_WINDOW_MS = 30_000;

export class DispositionTracker {
  private readonly byUri = new Map<string, TrackedAiEdit[]>();
  private lastForget = 0;

  constructor(private readonly undoWindowMs: number = DEFAULT_UNDO_WINDOW_MS) {}

  track(edit: Omit<TrackedAiEdit, 'disposition'> & { disposition?: Disposition }): void {
    const list = this.byUri.get(edit.uri) ?? [];
    list.push({ ...edit, disposition: edit.disposition ?? 'accepted' });
    this.byUri.set(edit.uri, list);
  }

  /**
   * Feed every change of a document (AI ones included, after they were tracked) in order.
   * `ownIds[k]` names the AI edit that content change k IS, so it is not treated as a change to itself
   * (its siblings in the same event still shift it).
   */
  observe(change: ObservedChange, ownIds: readonly (string | undefined)[] = []): DispositionChange[] {
    const list = this.byUri.get(change.uri);
    if (!list) return [];
    const out: DispositionChange[] = [];
    // VS Code reports multi-changes in descending offset order, all relative to the document before the
    // event, so applying them in that order keeps earlier offsets valid.
    change.changes.forEach((c, k) => {
      for (const edit of list) {
        if (edit.id === ownIds[k]) continue;
        const editEnd = edit.offset + edit.insertedText.length;
        const changeEnd = c.offset + c.length;
        if (change.reason === 'undo' && edit.disposition !== 'rejected' && c.offset === edit.offset && c.length === edit.insertedText.length && change.time - edit.time <= this.undoWindowMs) {
          edit.disposition = 'rejected';
          out.push({ id: edit.id, disposition: 'rejected' });
          continue;
        }
        if (change.reason === 'redo' && edit.disposition === 'rejected' && c.offset === edit.offset && c.text === edit.insertedText) {
          edit.disposition = 'accepted';
          out.push({ id: edit.id, disposition: 'accepted' });
          continue;
        }
        if (edit.disposition === 'rejected') {
          if (c.offset < edit.offset) edit.offset += c.text.length - c.length;
          continue;
        }
        if (changeEnd <= edit.offset) {
          edit.offset += c.text.length - c.length; // before the AI text: shift it
        } else if (c.offset >= editEnd) {
          // after it: nothing to do
        } else if (edit.disposition === 'accepted') {
          edit.disposition = 'partially_kept'; // a later change touched the AI text
          out.push({ id: edit.id, disposition: 'partially_kept' });
        }
      }
    });
    this.forgetOld(change.time);
    return out;
  }

  get trackedCount(): number {
    let n = 0;
    for (const list of this.byUri.values()) n += list.length;
    return n;
  }

  /** Past the undo window only overlap matters, which line tracking covers; keep memory bounded. */
  private forgetOld(now: number): void {
    if (now - this.lastForget < 1_000) return; // at most once a second: this runs for every change
    this.lastForget = now;
    for (const [uri, list] of this.byUri) {
      const kept = list.filter((e) => now - e.time <= this.undoWindowMs * 2);
      if (kept.length) this.byUri.set(uri, kept);
      else this.byUri.delete(uri);
    }
  }
}

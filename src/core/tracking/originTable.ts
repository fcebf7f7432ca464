/**
 * Interns character origins as small integers (tags), so the origin runs compare and store plain
 * numbers. Tag 0 is human-written text; every other tag is an (AI record id, modified) pair.
 */
export const HUMAN_TAG = 0;

export class OriginTable {
  private readonly tagsByKey = new Map<string, number>();
  private readonly recordIds: string[] = [''];
  private readonly modifiedFlags: boolean[] = [false];
  /** Cache of modifiedTagOf, which runs on keystrokes inside AI text (building the key would allocate). */
  private readonly modifiedVariants: number[] = [HUMAN_TAG];

  tagOf(recordId: string, modified: boolean): number {
    const key = (modified ? 'm:' : 'p:') + recordId;
    let tag = this.tagsByKey.get(key);
    if (tag === undefined) {
      tag = this.recordIds.length;
      this.recordIds.push(recordId);
      this.modifiedFlags.push(modified);
      this.modifiedVariants.push(modified ? tag : -1);
      this.tagsByKey.set(key, tag);
    }
    return tag;
  }

  recordIdOf(tag: number): string {
    return this.recordIds[tag]!;
  }

  isModified(tag: number): boolean {
    return this.modifiedFlags[tag]!;
  }

  /** The same record, flagged as touched by a human edit. */
  modifiedTagOf(tag: number): number {
    if (this.modifiedVariants[tag]! < 0) this.modifiedVariants[tag] = this.tagOf(this.recordIds[tag]!, true);
    return this.modifiedVariants[tag]!;
  }
}

/**
 * Errors the store raises and problems it reports. Problems are things the store survived (a corrupt
 * line skipped, a snapshot rebuilt) and must not hide; errors are things the caller has to act on.
 * Messages name files, positions and error codes, never record content.
 */

export type StoreProblemKind =
  | 'corrupt_line'
  | 'torn_tail'
  | 'snapshot_unusable'
  | 'snapshot_failed'
  | 'invalid_record'
  | 'lock_lost'
  | 'quarantine_failed'
  | 'index_error';

export interface StoreProblem {
  kind: StoreProblemKind;
  message: string;
  /** Where, when it is about a journal line. */
  segment?: string;
  line?: number;
  offset?: number;
}

export type ProblemSink = (problem: StoreProblem) => void;

/** The store on disk was written by a newer LineageLens, or is not a store at all. Nothing was touched. */
export class StoreFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFormatError';
  }
}

/** An append that was NOT acknowledged: none of its records may be assumed stored. */
export class StoreWriteError extends Error {
  constructor(
    message: string,
    /** The system error code (ENOSPC, EIO, EDQUOT, EROFS, ...) when there is one. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'StoreWriteError';
  }
}

/** Another process holds the journal lock for too long. */
export class StoreLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLockError';
  }
}

/** What a system error code means for a user, in words. */
export function describeIoCode(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'EIO':
      return 'the disk reported an I/O error';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return code ? `system error ${code}` : 'an unknown error';
  }
}

/**
 * What the git ledger holds (`lineagelens.git/1`), next to the provenance records of the store:
 *
 *   binding  AI lines of one edit, as committed: commit, path, line ranges in the committed blob, a content
 *            hash per range and a hash per line (so a rewrite can find them again).
 *   review   a "reviewed" (or "changes requested") marker for a session, an edit or a committed range.
 *   rewrite  the old -> new commit pairs of an amend, rebase or squash merge that bindings followed.
 *   human-change  (`lineagelens.git/2`) lines a person's commit changed that replaced lines bound to an AI
 *            edit in the parent: commit, path, the new lines' ranges and hashes, the AI edit they came
 *            from, the author's name and time. Computed once per commit (core/git/humanChanges.ts), so the
 *            team server, which has no git checkout, can answer "a person's change over AI lines".
 *
 * The ledger only ever grows: a rewrite adds bindings for the new commits (naming the ones they came
 * from); nothing is edited in place. Edit facts that blame shows (tool, model, session, acceptor) are
 * copied into the binding so blame works from the ledger alone; prompts stay in the store.
 */
import { z } from 'zod';
import { Acceptor, Disposition, Sha256Hex } from '../model/schema';

export const GIT_SCHEMA_ID = 'lineagelens.git/1';
/**
 * Records added after version 1 carry version 2 (a kind a version-1 reader does not know: its ledger
 * reader reports the line and skips it, its server refuses the upload batch with a clear 400, which the
 * sync client answers by sending the batch again without them). Version-1 records stay version 1.
 */
export const GIT_SCHEMA_V2 = 'lineagelens.git/2';

const CommitId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a full commit id');
const Iso = z.iso.datetime({ offset: true });
const RepoPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), { message: 'path must be relative to the repository root' });
const LineHash = z.string().regex(/^[0-9a-f]{16}$/);

export const BoundRange = z.object({
  /** 1-based, inclusive, in the committed blob. */
  start: z.number().int().positive(),
  end: z.number().int().positive(),
  /** SHA-256 of the range's lines (trailing whitespace removed) joined by \n. */
  sha256: Sha256Hex,
  /** One 64-bit hash per line, in order. */
  lines: z.array(LineHash).min(1).max(1_000_000),
});
export type BoundRange = z.infer<typeof BoundRange>;

export const BoundEdit = z.object({
  id: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200),
  tool: z.string().min(1).max(100),
  /** `provider/id`, a bare id, or `unknown`. */
  model: z.string().min(1).max(301),
  time: Iso,
  disposition: Disposition,
  acceptor: Acceptor.nullable(),
});
export type BoundEdit = z.infer<typeof BoundEdit>;

export const Binding = z.object({
  schema: z.literal(GIT_SCHEMA_ID),
  kind: z.literal('binding'),
  id: z.string().min(1).max(200),
  time: Iso,
  repoId: z.string().min(1).max(200),
  commit: CommitId,
  path: RepoPath,
  /** How it was found: the edit's text at commit time, a rewrite of a bound commit, or bound content seen again. */
  via: z.enum(['commit', 'rewrite', 'content']),
  from: z.object({ commit: CommitId, binding: z.string().max(200) }).optional(),
  edit: BoundEdit,
  ranges: z.array(BoundRange).min(1).max(100_000),
});
export type Binding = z.infer<typeof Binding>;

export const ReviewTarget = z.union([
  z.object({ sessionId: z.string().min(1).max(200) }).strict(),
  z.object({ editId: z.string().min(1).max(200) }).strict(),
  z.object({ repoId: z.string().min(1).max(200), commit: CommitId, path: RepoPath, start: z.number().int().positive(), end: z.number().int().positive() }).strict(),
]);
export type ReviewTarget = z.infer<typeof ReviewTarget>;

export const ReviewMark = z.object({
  schema: z.literal(GIT_SCHEMA_ID),
  kind: z.literal('review'),
  id: z.string().min(1).max(200),
  time: Iso,
  status: z.enum(['reviewed', 'changes_requested']),
  by: Acceptor,
  target: ReviewTarget,
  note: z.string().max(2000).optional(),
});
export type ReviewMark = z.infer<typeof ReviewMark>;

export const RewriteRecord = z.object({
  schema: z.literal(GIT_SCHEMA_ID),
  kind: z.literal('rewrite'),
  id: z.string().min(1).max(200),
  time: Iso,
  repoId: z.string().min(1).max(200),
  source: z.enum(['amend', 'rebase', 'rewrite-map', 'other']),
  pairs: z.array(z.tuple([CommitId, CommitId])).max(100_000),
  bindings: z.number().int().nonnegative(),
});
export type RewriteRecord = z.infer<typeof RewriteRecord>;

export const ChangedRange = z.object({
  /** 1-based, inclusive, in the committed blob. */
  start: z.number().int().positive(),
  end: z.number().int().positive(),
  /** One 64-bit hash per line, in order (so a later person's change can be traced through this one). */
  lines: z.array(LineHash).min(1).max(1_000_000),
});
export type ChangedRange = z.infer<typeof ChangedRange>;

export const HumanChange = z.object({
  schema: z.literal(GIT_SCHEMA_V2),
  kind: z.literal('human-change'),
  id: z.string().min(1).max(200),
  time: Iso,
  repoId: z.string().min(1).max(200),
  commit: CommitId,
  path: RepoPath,
  /** The commit's author (name and time as `git blame` gives them; never the text of the lines). */
  author: z.object({ name: z.string().max(500), time: Iso }),
  /** The AI edit whose bound lines these lines replaced (through earlier people's changes, if any). */
  edit: z.object({ id: z.string().min(1).max(200) }),
  ranges: z.array(ChangedRange).min(1).max(100_000),
});
export type HumanChange = z.infer<typeof HumanChange>;

export const GitRecord = z.discriminatedUnion('kind', [Binding, ReviewMark, RewriteRecord, HumanChange]);
export type GitRecord = z.infer<typeof GitRecord>;
/** The kinds a server keeps in its git tables (a human change goes into the lineage graph only). */
export type StoredGitRecord = Binding | ReviewMark | RewriteRecord;

/**
 * The provenance data model, version 1 (`lineagelens.provenance/1`).
 *
 * Every record LineageLens stores, exports or syncs is one of the two shapes here: an EditEvent (one
 * AI edit that landed in a file) or an AiEditSession (the edits one tool made for one conversation or
 * burst of work). The schemas are the single source of truth: TypeScript types are inferred from them,
 * the CLI and server validate outside input with them, and the OpenAPI document is generated from them.
 *
 * Compatibility rule: within major version 1 only optional fields may be added. A breaking change bumps
 * the schema id; readers reject ids they do not know (see version.ts) instead of guessing.
 */
import { z } from 'zod';

export const SCHEMA_ID = 'lineagelens.provenance/1';
export const SCHEMA_VERSION = 1;

/** How an attribution was made. Ordered roughly from most to least authoritative. */
export const CaptureMethod = z.enum([
  'hook', // the agent's own hook told us (Claude Code, Cursor, Codex, ...)
  'transcript', // read from the agent's transcript or session file
  'keybinding', // our Tab wrapper saw the user accept an inline completion
  'editor_scheme', // a chat-editing document scheme / WorkspaceEdit from a chat session
  'heuristic', // inferred without a direct signal; never enough on its own to call typing AI
  'external', // a file changed on disk and nobody vouched for it yet
]);
export type CaptureMethod = z.infer<typeof CaptureMethod>;

export const Capture = z.object({
  method: CaptureMethod,
  /** 0..1: how sure the capture is that this text came from the named tool. */
  confidence: z.number().min(0).max(1),
  /** Free-form, non-sensitive detail, e.g. the accept command or hook event name. */
  detail: z.string().max(500).optional(),
});
export type Capture = z.infer<typeof Capture>;

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256 digest');

export const Tool = z.object({
  /** Canonical tool name: copilot, cursor, claude-code, codex, windsurf, continue, ... */
  name: z.string().min(1).max(100),
  version: z.string().max(100).optional(),
  /** VS Code extension id when the tool is an extension (e.g. GitHub.copilot). */
  extensionId: z.string().max(200).optional(),
});
export type Tool = z.infer<typeof Tool>;

export const ModelRef = z.object({
  id: z.string().min(1).max(200),
  provider: z.string().max(100).optional(),
});
/** A model, or the literal 'unknown' when no source told us (later enrichment may fill it in). */
export const Model = z.union([ModelRef, z.literal('unknown')]);
export type Model = z.infer<typeof Model>;

/**
 * Text whose storage depends on the privacy level: kept as is, kept with secrets removed, or only hashed.
 * `sha256` is always of the ORIGINAL text, so hashes match across privacy levels and machines.
 */
export const Content = z.discriminatedUnion('form', [
  z.object({ form: z.literal('text'), text: z.string(), sha256: Sha256Hex }),
  z.object({
    form: z.literal('redacted'),
    text: z.string(),
    sha256: Sha256Hex,
    redactions: z.number().int().nonnegative(),
  }),
  z.object({ form: z.literal('hash'), sha256: Sha256Hex }),
  z.object({ form: z.literal('none') }),
]);
export type Content = z.infer<typeof Content>;

export const Prompt = z.object({
  content: Content,
  /** Where the prompt came from (a hook payload, a transcript line, ...). */
  source: CaptureMethod,
  /** Id of the turn/request in the tool's conversation, when known. */
  turnId: z.string().max(200).optional(),
  time: z.iso.datetime({ offset: true }).optional(),
});
export type Prompt = z.infer<typeof Prompt>;

export const RepoIdentity = z.object({
  /** Stable id: SHA-256 of the normalised first remote URL, or of the root commit when there is no remote. */
  id: z.string().min(1).max(200),
  /** Normalised remote URL without credentials, when there is one. */
  remote: z.string().max(1000).optional(),
});
export type RepoIdentity = z.infer<typeof RepoIdentity>;

export const FileRef = z.object({
  /** Path relative to the repository (or workspace) root, with forward slashes. */
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p) && !p.split('/').includes('..'), {
      message: 'file path must be relative to the repository root and stay inside it',
    }),
  repo: RepoIdentity.nullable(),
  branch: z.string().max(500).optional(),
  /** HEAD commit at the time of the edit. */
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/).optional(),
});
export type FileRef = z.infer<typeof FileRef>;

/** Zero-based, end-exclusive character positions, the same convention as VS Code's Range. */
export const Position = z.object({
  line: z.number().int().nonnegative(),
  character: z.number().int().nonnegative(),
});
export const Range = z
  .object({ start: Position, end: Position })
  .refine((r) => r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character), {
    message: 'range end must not come before its start',
  });
export type Range = z.infer<typeof Range>;

export const Disposition = z.enum(['pending', 'accepted', 'rejected', 'partially_kept']);
export type Disposition = z.infer<typeof Disposition>;

export const Acceptor = z.object({
  gitName: z.string().max(200).optional(),
  gitEmail: z.string().max(320).optional(),
  osUser: z.string().max(200),
});
export type Acceptor = z.infer<typeof Acceptor>;

export const ReviewStatus = z.enum(['unreviewed', 'reviewed', 'changes_requested']);
export const Review = z.object({
  status: ReviewStatus,
  by: z.string().max(200).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  /** Where the review happened: "local", a PR URL, ... */
  ref: z.string().max(1000).optional(),
});
export type Review = z.infer<typeof Review>;

const Iso = z.iso.datetime({ offset: true });

export const EditEvent = z.object({
  schema: z.literal(SCHEMA_ID),
  kind: z.literal('edit'),
  id: z.string().min(1).max(200),
  time: Iso,
  tool: Tool,
  model: Model,
  prompt: Prompt.nullable(),
  sessionId: z.string().min(1).max(200),
  file: FileRef,
  /** Where the replaced text was before the edit; where the inserted text is right after it. */
  rangeBefore: Range,
  rangeAfter: Range,
  insertedText: Content,
  deletedText: Content,
  /** SHA-256 of the inserted text as it landed (same as insertedText.sha256 unless the text is unavailable). */
  contentHash: Sha256Hex,
  disposition: Disposition,
  acceptor: Acceptor.nullable(),
  capture: Capture,
  review: Review,
});
export type EditEvent = z.infer<typeof EditEvent>;

export const SessionCounts = z.object({
  linesAdded: z.number().int().nonnegative(),
  linesKept: z.number().int().nonnegative(),
  linesRejected: z.number().int().nonnegative(),
});

export const AiEditSession = z.object({
  schema: z.literal(SCHEMA_ID),
  kind: z.literal('session'),
  id: z.string().min(1).max(200),
  tool: Tool,
  /** The model of the session's latest turn; each edit carries the model of its own turn. */
  model: Model,
  /** The tool's conversation/session id, when it has one. */
  conversationId: z.string().max(200).optional(),
  prompts: z.array(Prompt).max(10_000),
  repo: RepoIdentity.nullable(),
  files: z.array(z.string().max(4096)).max(100_000),
  startedAt: Iso,
  endedAt: Iso,
  counts: SessionCounts,
  capture: Capture,
});
export type AiEditSession = z.infer<typeof AiEditSession>;

export const ProvenanceRecord = z.discriminatedUnion('kind', [EditEvent, AiEditSession]);
export type ProvenanceRecord = z.infer<typeof ProvenanceRecord>;

/**
 * Provenance records (schema v1) from normalised agent events.
 *
 * - File paths become relative to the repository root when the file is inside it, else to the agent's
 *   cwd; a file outside both is refused (PathOutsideRootError): a record never says '../'.
 * - Hook- and transcript-backed edits are certain about the tool: capture confidence 1.
 * - Disposition: 'rejected' when the agent's source says the user rejected the edit, 'pending' while the
 *   user has not kept or undone it yet (Copilot's hook fires before Keep/Undo; a tool use without a
 *   result), else 'accepted' — the edit landed in the file. Later changes by the user are the line
 *   tracker's business, not the connector's.
 * - Ids derive from the edit's stable id, so importing the same edit twice gives the same record.
 * - Line ranges are whole lines; an edit whose position the source does not give gets empty ranges at
 *   0:0 (and says so in capture.detail), so it attributes no lines rather than wrong ones.
 */
import * as path from 'node:path';
import { conversationSessionId } from '../capture/sessions';
import { linesOf } from '../capture/sessionRecords';
import { sha256Hex, textContent } from '../model/content';
import {
  type Acceptor,
  AiEditSession,
  type Capture,
  EditEvent,
  type Prompt,
  type Range,
  type RepoIdentity,
  SCHEMA_ID,
} from '../model/schema';
import type { AgentEdit, AgentPromptEvent, LineRange } from './types';

export class PathOutsideRootError extends Error {
  constructor(
    readonly filePath: string,
    readonly roots: string[],
  ) {
    super(
      roots.length
        ? `${filePath} is outside the repository root and the agent's cwd (${roots.join(', ')}): not recorded`
        : `${filePath} is absolute and neither a repository root nor the agent's cwd is known to make it relative: not recorded`,
    );
    this.name = 'PathOutsideRootError';
  }
}

export interface RecordContext {
  /** Absolute path of the repository (or workspace) root the record's file path is relative to. */
  repoRoot?: string;
  repo?: RepoIdentity | null;
  acceptor?: Acceptor | null;
  branch?: string;
  /** HEAD commit at the time of the edit. */
  commit?: string;
}

export interface AgentEditRecords {
  edit: EditEvent;
  /** The edit's session as it stands with this edit alone; merge edits of one session with SessionRecords. */
  session: AiEditSession;
}

/** Record id of an agent edit: a function of its stable id only. */
export function editRecordId(stableId: string): string {
  return `ed_${stableId.slice(0, 32)}`;
}

export function agentEditToRecords(agentEdit: AgentEdit, ctx: RecordContext = {}): AgentEditRecords {
  const filePath = recordFilePath(agentEdit.filePath, ctx.repoRoot, agentEdit.cwd);
  const root = agentEdit.parentConversationId ?? agentEdit.conversationId;
  const sessionId = conversationSessionId(agentEdit.tool, root);
  const positioned = agentEdit.range !== undefined;
  const rangeAfter = agentEdit.range ? wholeLines(agentEdit.range) : emptyAt(0);
  const rangeBefore = agentEdit.rangeBefore ? wholeLines(agentEdit.rangeBefore) : emptyAt(rangeAfter.start.line);
  const capture: Capture = { method: agentEdit.source, confidence: 1 };
  const detail = [agentEdit.detail, positioned ? undefined : 'position unknown'].filter(Boolean).join('; ');
  if (detail) capture.detail = detail.slice(0, 500);
  const tool = { name: agentEdit.tool, ...(agentEdit.toolVersion ? { version: agentEdit.toolVersion.slice(0, 100) } : {}) };
  const prompt: Prompt | null = agentEdit.prompt
    ? {
        content: textContent(agentEdit.prompt.text),
        source: agentEdit.source,
        ...(agentEdit.prompt.turnId ? { turnId: agentEdit.prompt.turnId.slice(0, 200) } : {}),
        ...(agentEdit.prompt.time ? { time: agentEdit.prompt.time } : {}),
      }
    : null;
  const edit = EditEvent.parse({
    schema: SCHEMA_ID,
    kind: 'edit',
    id: editRecordId(agentEdit.stableId),
    time: agentEdit.time,
    tool,
    model: agentEdit.model,
    prompt,
    sessionId,
    file: {
      path: filePath,
      repo: ctx.repo ?? null,
      ...(ctx.branch ? { branch: ctx.branch } : {}),
      ...(ctx.commit ? { commit: ctx.commit } : {}),
    },
    rangeBefore,
    rangeAfter,
    insertedText: textContent(agentEdit.newText),
    deletedText: agentEdit.oldText !== undefined ? textContent(agentEdit.oldText) : { form: 'none' },
    contentHash: sha256Hex(agentEdit.newText),
    disposition: agentEdit.rejected ? 'rejected' : agentEdit.pendingReview ? 'pending' : 'accepted',
    acceptor: ctx.acceptor ?? null,
    capture,
    review: { status: 'unreviewed' },
  });
  const lines = linesOf(agentEdit.newText);
  const session = AiEditSession.parse({
    schema: SCHEMA_ID,
    kind: 'session',
    id: sessionId,
    tool,
    model: agentEdit.model,
    conversationId: root.slice(0, 200),
    prompts: prompt ? [prompt] : [],
    repo: ctx.repo ?? null,
    files: [filePath],
    startedAt: agentEdit.time,
    endedAt: agentEdit.time,
    counts: { linesAdded: lines, linesKept: agentEdit.rejected ? 0 : lines, linesRejected: agentEdit.rejected ? lines : 0 },
    capture: { method: agentEdit.source, confidence: 1 },
  });
  return { edit, session };
}

/** A prompt record from a prompt event (to enrich a session, e.g. with SessionRecords.enrich). */
export function agentPromptToPrompt(p: AgentPromptEvent): Prompt {
  return { content: textContent(p.text), source: p.source, ...(p.turnId ? { turnId: p.turnId.slice(0, 200) } : {}), time: p.time };
}

function wholeLines(r: LineRange): Range {
  const start = Math.max(0, r.startLine);
  const end = Math.max(start, r.endLine);
  return { start: { line: start, character: 0 }, end: { line: end, character: 0 } };
}

function emptyAt(line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: 0 } };
}

/**
 * The record path of a file: relative to the repository root when inside it, else to the cwd; with '/'.
 * A relative path is taken as relative to the cwd (agents give paths relative to where they run).
 */
export function recordFilePath(filePath: string, repoRoot?: string, cwd?: string): string {
  const p = toPosix(fileUriToPath(filePath));
  const base = cwd ? toPosix(cwd) : undefined;
  let absolute: string | undefined;
  if (isAbsolutePosix(p)) absolute = path.posix.normalize(p);
  else if (base && isAbsolutePosix(base)) absolute = path.posix.join(base, p);
  const roots = [repoRoot, cwd].filter((r): r is string => typeof r === 'string' && r !== '').map(toPosix);
  if (absolute === undefined) {
    // Relative, and no absolute cwd to anchor it: fine as long as it stays inside whatever root it is relative to.
    const rel = path.posix.normalize(p);
    if (rel === '.' || rel.startsWith('../') || rel === '..') throw new PathOutsideRootError(filePath, roots);
    return rel;
  }
  for (const root of roots) {
    const rel = relativeInside(root, absolute);
    if (rel !== undefined) return rel;
  }
  throw new PathOutsideRootError(filePath, roots);
}

function relativeInside(root: string, absolute: string): string | undefined {
  if (!isAbsolutePosix(root)) return undefined;
  const r = path.posix.normalize(root).replace(/\/+$/, '');
  const a = absolute;
  // Drive letters compare case-insensitively (C:/x and c:/x are one file on Windows).
  const same = (x: string, y: string) => (/^[A-Za-z]:/.test(x) ? x.toLowerCase() === y.toLowerCase() : x === y);
  const prefix = a.slice(0, r.length);
  if (!same(prefix, r) || a.charAt(r.length) !== '/') return undefined;
  const rel = a.slice(r.length + 1);
  return rel === '' ? undefined : rel;
}

/** Windows paths with '\' become '/'; POSIX paths are left alone ('\' is a legal file name character there). */
function toPosix(p: string): string {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\') ? p.replace(/\\/g, '/') : p;
}

function isAbsolutePosix(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/** A file: URI as a path ("file:///c%3A/x" -> "c:/x"); other strings unchanged. */
export function fileUriToPath(p: string): string {
  if (!p.startsWith('file://')) return p;
  let rest = p.slice('file://'.length);
  // file://host/path: only the empty host and localhost are local files.
  if (rest.startsWith('localhost/')) rest = rest.slice('localhost'.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    decoded = rest;
  }
  return /^\/[A-Za-z]:[\\/]/.test(decoded) ? decoded.slice(1) : decoded;
}

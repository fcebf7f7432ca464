/**
 * An AI edit session built up edit by edit by processes that each see only some of its edits: a hook
 * process sees one tool call, an import sees some transcript files. The tally is what they carry between
 * edits (a hook keeps it in its conversation state file); `sessionRecordOf` turns it into the whole
 * session record, appended again under the same id each time it changes (the store keeps the latest).
 */
import { z } from 'zod';
import { type AiEditSession, type Capture, Model, type Prompt, RepoIdentity, SCHEMA_ID, Tool, type EditEvent } from '../model/schema';

/** Bounds that keep a long conversation's session record (rewritten on every edit) small. */
export const MAX_SESSION_FILES = 1_000;
export const MAX_SESSION_PROMPTS = 200;

const Iso = z.iso.datetime({ offset: true });
const Count = z.number().int().nonnegative();

export const SessionTally = z.object({
  tool: Tool,
  conversationId: z.string().max(200),
  model: Model,
  repo: RepoIdentity.nullable(),
  files: z.array(z.string().max(4096)).max(MAX_SESSION_FILES),
  linesAdded: Count,
  linesRejected: Count,
  startedAt: Iso,
  endedAt: Iso,
});
export type SessionTally = z.infer<typeof SessionTally>;

/**
 * The tally with one more edit. `single` is the edit's own session record from agentEditToRecords (its
 * counts are the edit's lines); `tally` is undefined for the session's first edit.
 */
export function addEditToTally(tally: SessionTally | undefined, edit: EditEvent, single: AiEditSession): SessionTally {
  const t: SessionTally = tally
    ? { ...tally, files: [...tally.files] }
    : {
        tool: edit.tool,
        conversationId: single.conversationId ?? '',
        model: edit.model,
        repo: edit.file.repo,
        files: [],
        linesAdded: 0,
        linesRejected: 0,
        startedAt: edit.time,
        endedAt: edit.time,
      };
  if (!t.files.includes(edit.file.path) && t.files.length < MAX_SESSION_FILES) t.files.push(edit.file.path);
  t.linesAdded += single.counts.linesAdded;
  t.linesRejected += single.counts.linesRejected;
  if (t.repo === null && edit.file.repo) t.repo = edit.file.repo;
  if (Date.parse(edit.time) < Date.parse(t.startedAt)) t.startedAt = edit.time;
  const latest = Date.parse(edit.time) >= Date.parse(t.endedAt);
  if (latest) {
    t.endedAt = edit.time;
    if (edit.tool.version) t.tool = edit.tool;
  }
  // The session names the model of its latest turn; an edit whose model is unknown does not erase it.
  if (edit.model !== 'unknown' && (latest || t.model === 'unknown')) t.model = edit.model;
  return t;
}

export function sessionRecordOf(sessionId: string, tally: SessionTally, prompts: readonly Prompt[], capture: Capture): AiEditSession {
  return {
    schema: SCHEMA_ID,
    kind: 'session',
    id: sessionId,
    tool: tally.tool,
    model: tally.model,
    ...(tally.conversationId ? { conversationId: tally.conversationId } : {}),
    prompts: prompts.slice(-MAX_SESSION_PROMPTS),
    repo: tally.repo,
    files: tally.files,
    startedAt: tally.startedAt,
    endedAt: tally.endedAt,
    counts: { linesAdded: tally.linesAdded, linesKept: tally.linesAdded - tally.linesRejected, linesRejected: tally.linesRejected },
    capture,
  };
}

/**
 * One session record from two that describe DISJOINT sets of the same session's edits (what the store
 * holds, and what an import adds to it): counts add up, files and prompts are united.
 */
export function mergeSessionRecords(stored: AiEditSession, added: AiEditSession): AiEditSession {
  const addedIsLater = Date.parse(added.endedAt) >= Date.parse(stored.endedAt);
  const files = [...stored.files];
  for (const f of added.files) if (!files.includes(f) && files.length < MAX_SESSION_FILES) files.push(f);
  const prompts = [...stored.prompts];
  for (const p of added.prompts) if (!prompts.some((q) => samePrompt(p, q))) prompts.push(p);
  prompts.sort((a, b) => (a.time && b.time ? Date.parse(a.time) - Date.parse(b.time) : 0));
  const model = addedIsLater && added.model !== 'unknown' ? added.model : stored.model === 'unknown' ? added.model : stored.model;
  return {
    ...stored,
    tool: addedIsLater ? added.tool : stored.tool,
    model,
    repo: stored.repo ?? added.repo,
    prompts: prompts.slice(-MAX_SESSION_PROMPTS),
    files,
    startedAt: Date.parse(added.startedAt) < Date.parse(stored.startedAt) ? added.startedAt : stored.startedAt,
    endedAt: addedIsLater ? added.endedAt : stored.endedAt,
    counts: {
      linesAdded: stored.counts.linesAdded + added.counts.linesAdded,
      linesKept: stored.counts.linesKept + added.counts.linesKept,
      linesRejected: stored.counts.linesRejected + added.counts.linesRejected,
    },
  };
}

/** The same prompt: the same turn, or the same original text (its hash survives every privacy level but `off`). */
export function samePrompt(a: Prompt, b: Prompt): boolean {
  if (a.turnId !== undefined && a.turnId === b.turnId) return true;
  const ha = a.content.form === 'none' ? undefined : a.content.sha256;
  const hb = b.content.form === 'none' ? undefined : b.content.sha256;
  return ha !== undefined && ha === hb && a.time === b.time;
}

/** Adds a prompt unless it is already there (the same hook event delivered twice). */
export function withPrompt(prompts: readonly Prompt[], prompt: Prompt): Prompt[] {
  if (prompts.some((p) => samePrompt(p, prompt))) return [...prompts];
  return [...prompts, prompt].slice(-MAX_SESSION_PROMPTS);
}

/**
 * One AI edit, two witnesses: the agent (a hook or transcript: prompt, model, conversation) and the editor
 * (the change it saw land: exact range, what happened to it afterwards). This file decides which agent
 * report an editor change belongs to and merges the two into ONE record that keeps the agent's id, so
 * the store (latest put of an id wins) never holds the same edit twice.
 */
import type { EditEvent } from '../model/schema';

/** How long the pipeline waits for the agent's report of a change an agent announced. */
export const DEFAULT_AGENT_JOIN_WAIT_MS = 4_000;
/** How far apart in time the two witnesses of one edit may be (clocks of one machine; hooks run late under load). */
export const AGENT_JOIN_WINDOW_MS = 60_000;

const AGENT_METHODS = new Set(['hook', 'transcript']);

/**
 * The agent report that `editor` (an external change the editor saw) is the landing of, if any. Required:
 * same repository and path, an agent-made record (hook or transcript) not rejected and not already joined,
 * within the time window, and the same text (by hash), text inside the other's, or overlapping lines.
 * Among several, the strongest evidence wins, then the nearest in time.
 */
export function pickAgentEdit(editor: EditEvent, candidates: readonly EditEvent[], alreadyJoined: ReadonlySet<string> = new Set()): EditEvent | undefined {
  const editorTime = Date.parse(editor.time);
  let best: { edit: EditEvent; score: number; distance: number } | undefined;
  for (const c of candidates) {
    if (c.kind !== 'edit' || !AGENT_METHODS.has(c.capture.method) || c.disposition === 'rejected' || alreadyJoined.has(c.id)) continue;
    if (c.file.path !== editor.file.path || (c.file.repo?.id ?? null) !== (editor.file.repo?.id ?? null)) continue;
    const distance = Math.abs(Date.parse(c.time) - editorTime);
    if (!(distance <= AGENT_JOIN_WINDOW_MS)) continue;
    const score = evidence(editor, c);
    if (score === 0) continue;
    if (!best || score > best.score || (score === best.score && distance < best.distance)) best = { edit: c, score, distance };
  }
  return best?.edit;
}

/** 3: the same text; 2: one text inside the other; 1: overlapping lines; 0: nothing in common. */
function evidence(editor: EditEvent, agent: EditEvent): number {
  if (editor.contentHash === agent.contentHash) return 3;
  const a = textOf(editor);
  const b = textOf(agent);
  if (a !== undefined && b !== undefined && b.trim().length > 0 && (a.includes(b.trim()) || b.includes(a.trim()))) return 2;
  return linesOverlap(editor, agent) ? 1 : 0;
}

function textOf(e: EditEvent): string | undefined {
  const c = e.insertedText;
  return c.form === 'text' || c.form === 'redacted' ? c.text : undefined;
}

function linesOverlap(a: EditEvent, b: EditEvent): boolean {
  const la = lineSpan(a);
  const lb = lineSpan(b);
  return la !== undefined && lb !== undefined && la.start <= lb.end && lb.start <= la.end;
}

/** Lines the inserted text covers, inclusive; a range ending at column 0 does not cover its last line. */
function lineSpan(e: EditEvent): { start: number; end: number } | undefined {
  const r = e.rangeAfter;
  if (r.start.line === r.end.line && r.start.character === r.end.character) return undefined;
  const end = r.end.character === 0 && r.end.line > r.start.line ? r.end.line - 1 : r.end.line;
  return { start: r.start.line, end };
}

/**
 * The joined record: the agent's id, tool, model, prompt, session and disposition; the editor's exact
 * range, text as it landed and acceptor. Capture says both witnessed it.
 */
export function joinAgentEdit(agent: EditEvent, editor: EditEvent): EditEvent {
  const detail = `${agent.capture.detail ? `${agent.capture.detail}; ` : ''}joined with the change the editor saw`;
  return {
    ...agent,
    rangeBefore: editor.rangeBefore,
    rangeAfter: editor.rangeAfter,
    insertedText: editor.insertedText,
    deletedText: editor.deletedText.form === 'none' ? agent.deletedText : editor.deletedText,
    contentHash: editor.contentHash,
    acceptor: editor.acceptor ?? agent.acceptor,
    capture: { method: agent.capture.method, confidence: Math.max(agent.capture.confidence, editor.capture.confidence), detail: detail.slice(0, 500) },
  };
}

/** Editor-made records that may lack what only the agent knows (prompt, model). */
const EDITOR_METHODS = new Set(['editor_scheme', 'external', 'heuristic']);
/** Tool names the editor uses when it cannot tell which agent it was. */
const GENERIC_TOOLS = new Set(['vscode-chat', 'external']);
/** Session files date an edit by its request; the editor by when it landed (agents work for minutes). */
export const ENRICH_WINDOW_MS = 30 * 60_000;

/**
 * The editor record (chat-editing scheme, external write) that an agent's session file describes, among
 * those still lacking a prompt or model and not enriched yet. Same evidence rules as pickAgentEdit.
 */
export function pickEditorEdit(agent: EditEvent, candidates: readonly EditEvent[], alreadyEnriched: ReadonlySet<string> = new Set()): EditEvent | undefined {
  const agentTime = Date.parse(agent.time);
  let best: { edit: EditEvent; score: number; distance: number } | undefined;
  for (const c of candidates) {
    if (c.kind !== 'edit' || !EDITOR_METHODS.has(c.capture.method) || alreadyEnriched.has(c.id)) continue;
    if (c.model !== 'unknown' && c.prompt !== null) continue; // nothing to add
    if (c.file.path !== agent.file.path || (c.file.repo?.id ?? null) !== (agent.file.repo?.id ?? null)) continue;
    const distance = Math.abs(Date.parse(c.time) - agentTime);
    if (!(distance <= ENRICH_WINDOW_MS)) continue;
    const score = evidence(c, agent);
    if (score === 0) continue;
    if (!best || score > best.score || (score === best.score && distance < best.distance)) best = { edit: c, score, distance };
  }
  return best?.edit;
}

/**
 * The editor record with what the agent's session file adds: prompt, model, and the tool when the editor
 * could only say "a chat". Its id, range, text, disposition and capture method stay the editor's.
 */
export function enrichEditorEdit(editor: EditEvent, agent: EditEvent, source: string): EditEvent {
  const detail = `${editor.capture.detail ? `${editor.capture.detail}; ` : ''}prompt and model from ${source}`;
  return {
    ...editor,
    tool: GENERIC_TOOLS.has(editor.tool.name) ? agent.tool : editor.tool.name === agent.tool.name ? { ...agent.tool, ...editor.tool } : editor.tool,
    model: editor.model === 'unknown' ? agent.model : editor.model,
    prompt: editor.prompt ?? agent.prompt,
    capture: { ...editor.capture, detail: detail.slice(0, 500) },
  };
}

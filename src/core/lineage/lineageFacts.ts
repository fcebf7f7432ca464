/**
 * What the store's lineage tables need from one provenance record, computed where the record is still
 * whole (the caller's thread when appending, the worker when replaying the journal): the node ids and
 * display-safe attributes LineageGraph.addRecord would give it, and content hashes of the lines it
 * inserted and deleted (for derived-from by content). Never prompt or code text: only ids and hashes.
 *
 * Lenient on purpose: it also reads records back from the journal (outside input); anything it cannot
 * read simply yields no lineage facts, and the record is still indexed.
 */
import { nodeId } from './lineageGraph';

type Attrs = Record<string, string | number | null>;

export interface EditFacts {
  k: 'edit';
  node: string;
  attrs: Attrs;
  session: { node: string; tool: string } | null;
  prompt: { node: string; attrs: Attrs } | null;
  /** Hashes of the distinctive lines inserted (as a set) and deleted (every one, in order). */
  ins: string[];
  del: string[];
}

export interface SessionFacts {
  k: 'session';
  node: string;
  attrs: Attrs;
  prompts: { node: string; attrs: Attrs }[];
}

export type LineageFacts = EditFacts | SessionFacts;

/** Same rule as LineageGraph: lines too common to be evidence that one edit rewrote another. */
function isDistinctive(line: string): boolean {
  return line.trim().length >= 8;
}

/**
 * A 64-bit (two 32-bit FNV-1a lanes) hash of a line without its trailing whitespace. Only compared with
 * other hashes from this function inside one index, so it need not be cryptographic; it runs for every
 * line of every stored edit on the caller's thread, where a SHA-256 per line cost ~1.5 us.
 */
export function contentLineHash(line: string): string {
  // trimEnd removes what /\s+$/ does (WhiteSpace and LineTerminator), natively.
  const text = line.trimEnd();
  const end = text.length;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ end;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

type Loose = Record<string, unknown> | null | undefined;

function obj(v: unknown): Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function textOf(content: unknown): string | null {
  const c = obj(content);
  return c && (c.form === 'text' || c.form === 'redacted') && typeof c.text === 'string' ? c.text : null;
}

function modelIdOf(model: unknown): string | null {
  const m = obj(model);
  return m ? str(m.id) : null;
}

function promptFacts(sessionId: string, p: unknown): { node: string; attrs: Attrs } | null {
  const prompt = obj(p);
  const content = obj(prompt?.content);
  if (!prompt || !content) return null;
  const sha = content.form === 'none' ? 'none' : str(content.sha256);
  if (sha === null) return null;
  return { node: nodeId.prompt(sessionId, sha), attrs: { time: str(prompt.time), source: str(prompt.source) } };
}

/** Lineage facts of a record (null when it is not one the graph reads). */
export function lineageFactsOf(record: unknown): LineageFacts | null {
  const r = obj(record);
  if (!r || typeof r.id !== 'string') return null;
  const tool = str(obj(r.tool)?.name);
  if (tool === null) return null;
  if (r.kind === 'session') {
    const prompts = Array.isArray(r.prompts) ? r.prompts.map((p) => promptFacts(r.id as string, p)).filter((p) => p !== null) : [];
    return { k: 'session', node: nodeId.session(r.id), attrs: { tool, model: modelIdOf(r.model), startedAt: str(r.startedAt) }, prompts };
  }
  if (r.kind !== 'edit') return null;
  const range = obj(r.rangeAfter);
  const start = obj(range?.start);
  const end = obj(range?.end);
  const file = obj(r.file);
  if (!start || !end || !file || typeof start.line !== 'number' || typeof end.line !== 'number') return null;
  const [sl, sc, el, ec] = [start.line, Number(start.character ?? 0), end.line, Number(end.character ?? 0)];
  // Lines the edit's text spans (end-exclusive), as LineageGraph.addRecord counts them.
  const lines = Math.max(el - sl + (ec > 0 ? 1 : 0), sl === el && ec > sc ? 1 : 0);
  const sessionId = str(r.sessionId);
  const inserted = textOf(r.insertedText);
  const deleted = textOf(r.deletedText);
  return {
    k: 'edit',
    node: nodeId.edit(r.id),
    attrs: { tool, model: modelIdOf(r.model), time: str(r.time), path: str(file.path), line: sl + 1, lines, disposition: str(r.disposition) },
    session: sessionId ? { node: nodeId.session(sessionId), tool } : null,
    prompt: sessionId && obj(obj(r.prompt)?.content)?.form !== 'none' ? promptFacts(sessionId, r.prompt) : null,
    ins: inserted === null ? [] : [...new Set(inserted.split('\n').filter(isDistinctive).map(contentLineHash))],
    del: deleted === null ? [] : deleted.split('\n').filter(isDistinctive).map(contentLineHash),
  };
}

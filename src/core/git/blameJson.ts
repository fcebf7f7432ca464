/**
 * The JSON an AI line of blame is described by, shared by `lineagelens blame --json` and the team server's
 * `GET /api/v1/blame`, so both answer in one shape: tool, model, session, edit, prompt excerpt,
 * disposition, acceptor, review and the binding that vouches for the line.
 */
import { contentText } from '../model/content';
import type { Content } from '../model/schema';
import type { Binding, ReviewMark } from './gitRecords';

export interface PromptInfo {
  /** The prompt's first 100 characters as the record kept it (null: kept as a hash, or not at all). */
  excerpt: string | null;
  form: string;
}

export function promptExcerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}

/** What a record's prompt shows in blame (the privacy level it was stored or uploaded at decides). */
export function promptInfo(content: Content | null | undefined): PromptInfo {
  if (!content) return { excerpt: null, form: 'none' };
  const text = contentText(content);
  return { excerpt: text === undefined ? null : promptExcerpt(text), form: content.form };
}

export function aiLineJson(binding: Binding, review: ReviewMark | null, prompt: PromptInfo | undefined) {
  const e = binding.edit;
  return {
    origin: 'ai' as const,
    tool: e.tool,
    model: e.model,
    sessionId: e.sessionId,
    editId: e.id,
    prompt: prompt?.excerpt ?? null,
    disposition: e.disposition,
    acceptor: e.acceptor,
    review: review ? { status: review.status, by: review.by, at: review.time } : { status: 'unreviewed' as const },
    binding: { id: binding.id, via: binding.via, ...(binding.from ? { from: binding.from.commit } : {}) },
  };
}

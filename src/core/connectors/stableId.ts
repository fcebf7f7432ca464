/**
 * Deterministic ids for agent events: the same tool use read twice (by the hook, then again by a transcript
 * import, or by two imports) gets the same id, so storing it again changes nothing.
 */
import { sha256Hex } from '../model/content';

/** sha256 of the parts joined with NUL (which no part contains in practice, so parts cannot run together). */
export function stableIdOf(...parts: readonly (string | number | undefined)[]): string {
  return sha256Hex(parts.map((p) => (p === undefined ? '' : String(p))).join('\u0000'));
}

/**
 * The id of the `index`-th edit of one tool use. Keyed on the root conversation (the parent for a subagent)
 * so that a hook, which may only know the parent, and a subagent transcript agree.
 */
export function editStableId(tool: string, rootConversationId: string, toolUseId: string, index: number): string {
  return stableIdOf(tool, rootConversationId, toolUseId, index);
}

/** A short digest of content, to tell apart tool uses that have no id of their own. */
export function contentDigest(...texts: readonly (string | undefined)[]): string {
  return stableIdOf(...texts).slice(0, 16);
}

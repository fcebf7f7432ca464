/** Prompt events, built one way for hooks and transcripts. */
import { stableIdOf } from './stableId';
import type { AgentPromptEvent } from './types';

/** A prompt event's fields before its kind and stable id are set. */
export type PromptEventInput = Omit<AgentPromptEvent, 'kind' | 'stableId'> & {
  /** What identifies the prompt within its conversation when it has no turn id (a transcript line number). */
  key?: string;
};

export function promptEvent(p: PromptEventInput): AgentPromptEvent {
  const e: AgentPromptEvent = {
    kind: 'prompt',
    tool: p.tool,
    conversationId: p.conversationId,
    text: p.text,
    time: p.time,
    source: p.source,
    // A prompt has no tool-use id: its turn, or its key, or its text and time identify it.
    stableId: stableIdOf(p.tool, p.parentConversationId ?? p.conversationId, 'prompt', p.turnId ?? p.key ?? `${p.time}\u0000${p.text}`),
  };
  if (p.toolVersion) e.toolVersion = p.toolVersion;
  if (p.model && p.model !== 'unknown') e.model = p.model;
  if (p.parentConversationId) e.parentConversationId = p.parentConversationId;
  if (p.turnId) e.turnId = p.turnId;
  if (p.cwd) e.cwd = p.cwd;
  return e;
}

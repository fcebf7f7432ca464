/** Prompt events, built one way for hooks and transcripts. */
import type { Model } from '../model/schema';
import { stableIdOf } from './stableId';
import type { AgentEventSource, AgentPromptEvent } from './types';

export interface PromptEventInput {
  tool: string;
  toolVersion?: string;
  model?: Model;
  conversationId: string;
  parentConversationId?: string;
  turnId?: string;
  text: string;
  time: string;
  cwd?: string;
  source: AgentEventSource;
  /** What identifies the prompt within its conversation when it has no turn id (a transcript line number). */
  key?: string;
}

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

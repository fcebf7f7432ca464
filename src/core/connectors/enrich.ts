/** Filling in what a hook payload lacks from another source (the transcript, the chat session file). */
import type { Model } from '../model/schema';
import type { AgentEvent } from './types';

/** The events with `model` set where they had none ('unknown' stays when `model` is 'unknown' too). */
export function withModel(events: readonly AgentEvent[], model: Model): AgentEvent[] {
  if (model === 'unknown') return [...events];
  return events.map((e) => {
    if (e.kind === 'edit' || e.kind === 'file_change') return e.model === 'unknown' ? { ...e, model } : e;
    if (e.kind === 'prompt') return e.model === undefined ? { ...e, model } : e;
    return e;
  });
}

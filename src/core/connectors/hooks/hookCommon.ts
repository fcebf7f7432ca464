/** What all hook parsers share: the result shape, event builders and the "payload not understood" paths. */
import { promptEvent as buildPromptEvent, type PromptEventInput } from '../promptEvents';
import { isoTime, nowIso } from '../time';
import type { AgentFileChangeEvent, AgentPreEditEvent, AgentPromptEvent, HookParseResult } from '../types';

export function emptyResult(context: HookParseResult['context'] = {}): HookParseResult {
  return { events: [], warnings: [], context };
}

/** A payload that is not a JSON object, or misses what identifies the conversation. */
export function unusablePayload(tool: string, why: string): HookParseResult {
  const r = emptyResult();
  r.warnings.push(`${tool} hook payload ${why}: ignored`);
  return r;
}

export function unknownEvent(result: HookParseResult, tool: string, eventName: string | undefined): HookParseResult {
  result.warnings.push(eventName ? `unknown ${tool} hook event "${eventName.slice(0, 80)}": ignored` : `${tool} hook payload names no event: ignored`);
  return result;
}

/** The event time: the payload's own timestamp when it has one, else the caller's `now`, else now. */
export function eventTime(payloadTime: unknown, now: string | undefined): string {
  return isoTime(payloadTime) ?? isoTime(now) ?? nowIso();
}

/** A prompt event from a hook payload. */
export function promptEvent(p: Omit<PromptEventInput, 'source'>): AgentPromptEvent {
  return buildPromptEvent({ ...p, source: 'hook' });
}

export function preEditEvent(p: Omit<AgentPreEditEvent, 'kind'>): AgentPreEditEvent {
  return { kind: 'pre_edit', ...dropUndefined(p) };
}

export function fileChangeEvent(p: Omit<AgentFileChangeEvent, 'kind'>): AgentFileChangeEvent {
  return { kind: 'file_change', ...dropUndefined(p) };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

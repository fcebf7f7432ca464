/**
 * The hook command's entry point in the core: stdin text in, events out, never an exception (a hook must
 * never fail the agent). Some tools (Windsurf) put raw control characters inside JSON strings; those are
 * escaped and the text parsed again before giving up.
 */
import type { ConnectorTool, HookParseOptions, HookParseResult } from '../types';
import { parseHookPayload as parseClaudeCode } from './claudeCode';
import { parseHookPayload as parseCodex } from './codex';
import { parseHookPayload as parseCopilot } from './copilot';
import { parseHookPayload as parseCursor } from './cursor';
import { parseHookPayload as parseWindsurf } from './windsurf';

export type HookPayloadParser = (json: unknown, options?: HookParseOptions) => HookParseResult;

export const HOOK_PARSERS: Readonly<Record<ConnectorTool, HookPayloadParser>> = {
  'claude-code': parseClaudeCode,
  cursor: parseCursor,
  copilot: parseCopilot,
  codex: parseCodex,
  windsurf: parseWindsurf,
};

/** Hook payloads larger than this are not parsed (a payload is one tool call; 64 MiB is far beyond any). */
export const MAX_HOOK_INPUT_CHARS = 64 * 1024 * 1024;

export function parseHookInput(tool: ConnectorTool, stdinText: string, options: HookParseOptions = {}): HookParseResult {
  const failed = (why: string): HookParseResult => ({ events: [], warnings: [`${tool} hook input ${why}: ignored`], context: {} });
  if (stdinText.length > MAX_HOOK_INPUT_CHARS) return failed(`is ${stdinText.length} characters, over the ${MAX_HOOK_INPUT_CHARS} limit`);
  if (stdinText.trim() === '') return failed('is empty');
  let json: unknown;
  try {
    json = JSON.parse(stdinText);
  } catch {
    try {
      json = JSON.parse(escapeControlCharactersInStrings(stdinText));
    } catch {
      return failed('is not valid JSON');
    }
  }
  try {
    return HOOK_PARSERS[tool](json, options);
  } catch (err) {
    // A parser bug must not fail the agent either; the message names the error type, not the payload.
    return failed(`could not be read (${(err as Error).name})`);
  }
}

/** Escapes U+0000..U+001F inside JSON string literals (where JSON forbids them raw); the rest is untouched. */
export function escapeControlCharactersInStrings(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (!inString) {
      if (ch === '"') inString = true;
      out += ch;
      continue;
    }
    if (escaped) {
      escaped = false;
      out += ch;
    } else if (ch === '\\') {
      escaped = true;
      out += ch;
    } else if (ch === '"') {
      inString = false;
      out += ch;
    } else if (code < 0x20) {
      out += ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Which importer reads a transcript file: from the tool the user names and what the file is (its name, its
 * first bytes). One entry point for `lineagelens import <tool> <path...>`.
 */
import type { ConnectorTool, TranscriptImport, TranscriptImportOptions } from '../types';
import { importTranscript as importClaudeCode } from './claudeCode';
import { importTranscript as importCodexRollout } from './codexRollout';
import { importTranscript as importCopilotChatSession } from './copilotChatSession';
import { importTranscript as importCopilotEditingSession } from './copilotEditingSession';
import { importTranscript as importCopilotEventStream, looksLikeCopilotEventStream } from './copilotEventStream';
import { importTranscript as importCursorJsonl } from './cursorJsonl';
import { importCursorStateDb, SQLITE_HEADER } from './cursorStateDb';
import { transcriptText } from './transcriptText';
import { importTranscript as importWindsurf } from './windsurf';

export const TRANSCRIPT_FORMATS = [
  'claude-code-jsonl',
  'cursor-agent-jsonl',
  'cursor-state-db',
  'copilot-chat-session',
  'copilot-editing-session',
  'copilot-event-stream',
  'codex-rollout',
  'windsurf-jsonl',
] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** The format of a file a user says belongs to `tool`: told from its path and first bytes. */
export function detectTranscriptFormat(tool: ConnectorTool, path: string, head: Uint8Array | string): TranscriptFormat {
  const headText = typeof head === 'string' ? head : new TextDecoder('latin1').decode(head.subarray(0, 4096));
  const normalised = path.replace(/\\/g, '/');
  switch (tool) {
    case 'claude-code':
      return 'claude-code-jsonl';
    case 'cursor':
      return headText.startsWith(SQLITE_HEADER) || /\.vscdb$/i.test(normalised) ? 'cursor-state-db' : 'cursor-agent-jsonl';
    case 'copilot':
      if (/\/chatEditingSessions\/[^/]+\/state\.json$/i.test(normalised)) return 'copilot-editing-session';
      return looksLikeCopilotEventStream(headText) ? 'copilot-event-stream' : 'copilot-chat-session';
    case 'codex':
      return 'codex-rollout';
    case 'windsurf':
      return 'windsurf-jsonl';
  }
}

export interface ImportFileOptions extends TranscriptImportOptions {
  /** Path of sql-wasm.wasm for Cursor's state database (default: found next to the bundle or in node_modules). */
  wasmPath?: string;
}

/** Imports one file's bytes in the given format. Throws BinaryTranscriptError for a binary file given as text. */
export async function importTranscriptFile(format: TranscriptFormat, bytes: Uint8Array, options: ImportFileOptions): Promise<TranscriptImport> {
  switch (format) {
    case 'cursor-state-db':
      return importCursorStateDb(bytes, options);
    case 'claude-code-jsonl':
      return importClaudeCode(transcriptText(bytes, options.path), options);
    case 'cursor-agent-jsonl':
      return importCursorJsonl(transcriptText(bytes, options.path), options);
    case 'copilot-chat-session':
      return importCopilotChatSession(transcriptText(bytes, options.path), options);
    case 'copilot-editing-session':
      return importCopilotEditingSession(transcriptText(bytes, options.path), options);
    case 'copilot-event-stream':
      return importCopilotEventStream(transcriptText(bytes, options.path), options);
    case 'codex-rollout':
      return importCodexRollout(transcriptText(bytes, options.path), options);
    case 'windsurf-jsonl':
      return importWindsurf(transcriptText(bytes, options.path), options);
  }
}

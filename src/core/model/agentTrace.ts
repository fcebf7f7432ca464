/**
 * Mapping from LineageLens edit events to Agent Trace 0.1 records (vendor-neutral line attribution).
 * Agent Trace counts lines from 1 with an inclusive end; LineageLens ranges are 0-based, end-exclusive
 * character positions, so a range ending at column 0 of a line does not cover that line.
 */
import { randomUUID } from 'node:crypto';
import type { EditEvent, Range } from './schema';

/** major.minor, as the spec's JSON Schema requires (its prose says 0.1.0; see agentTraceSchema.ts). */
export const AGENT_TRACE_VERSION = '0.1';

export interface AgentTraceRange {
  start_line: number;
  end_line: number;
  content_hash?: string;
}
export interface AgentTraceContributor {
  type: 'human' | 'ai' | 'mixed' | 'unknown';
  model_id?: string;
}
export interface AgentTraceConversation {
  url?: string;
  contributor?: AgentTraceContributor;
  ranges: AgentTraceRange[];
  related?: { type: string; url: string }[];
}
export interface AgentTraceRecord {
  version: string;
  id: string;
  timestamp: string;
  vcs?: { type: 'git'; revision: string };
  tool?: { name: string; version: string };
  files: { path: string; conversations: AgentTraceConversation[] }[];
  metadata?: Record<string, unknown>;
}

/** 1-based inclusive line span covered by a range; null for an empty insertion (nothing to attribute). */
export function lineSpan(range: Range): { start: number; end: number } | null {
  const { start, end } = range;
  if (start.line === end.line && start.character === end.character) return null;
  const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return { start: start.line + 1, end: lastLine + 1 };
}

/** One Agent Trace record for one edit event. Rejected edits are not attributed: they left no lines. */
export function editToAgentTrace(edit: EditEvent, id: string = randomUUID()): AgentTraceRecord | null {
  if (edit.disposition === 'rejected') return null;
  const span = lineSpan(edit.rangeAfter);
  if (!span) return null;
  const modelId = edit.model === 'unknown' ? undefined : edit.model.provider ? `${edit.model.provider}/${edit.model.id}` : edit.model.id;
  return {
    version: AGENT_TRACE_VERSION,
    id,
    // The spec's schema wants UTC with a Z; our times may carry an offset.
    timestamp: new Date(edit.time).toISOString(),
    ...(edit.file.commit ? { vcs: { type: 'git' as const, revision: edit.file.commit } } : {}),
    // The spec's schema requires a tool version: "unknown" when the capture did not learn it.
    tool: { name: edit.tool.name, version: edit.tool.version ?? 'unknown' },
    files: [
      {
        path: edit.file.path,
        conversations: [
          {
            contributor: { type: edit.disposition === 'partially_kept' ? 'mixed' : 'ai', ...(modelId ? { model_id: modelId } : {}) },
            ranges: [{ start_line: span.start, end_line: span.end, content_hash: `sha256:${edit.contentHash}` }],
          },
        ],
      },
    ],
    metadata: {
      'dev.lineagelens': {
        record_id: edit.id,
        session_id: edit.sessionId,
        capture: edit.capture,
        disposition: edit.disposition,
      },
    },
  };
}

/** The columns a record is indexed by on the server, and the text full-text search sees. */
import type { Content, ProvenanceRecord } from '../../core/model/schema';

export interface RecordRow {
  id: string;
  kind: 'edit' | 'session';
  /** UTC ISO time (sortable as text): an edit's time, a session's start. */
  time: string;
  repoId: string | null;
  path: string | null;
  sessionId: string;
  tool: string;
  model: string;
  author: string | null;
  lineStart: number | null;
  lineEnd: number | null;
  /** Lines the AI put in: an edit's inserted lines, a session's linesAdded. */
  lines: number;
  disposition: string | null;
  prompt: string;
  code: string;
}

const text = (c: Content | undefined): string => (c && (c.form === 'text' || c.form === 'redacted') ? c.text : '');

export function modelName(model: ProvenanceRecord['model']): string {
  return model === 'unknown' ? 'unknown' : model.id;
}

export function toRow(record: ProvenanceRecord): RecordRow {
  if (record.kind === 'edit') {
    const { start, end } = record.rangeAfter;
    // End-exclusive: a range ending at column 0 of a later line does not cover that line.
    const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    const inserted = record.insertedText.form === 'none' || (end.line === start.line && end.character === start.character) ? 0 : lastLine - start.line + 1;
    const a = record.acceptor;
    return {
      id: record.id,
      kind: 'edit',
      time: new Date(record.time).toISOString(),
      repoId: record.file.repo?.id ?? null,
      path: record.file.path,
      sessionId: record.sessionId,
      tool: record.tool.name,
      model: modelName(record.model),
      author: a ? (a.gitEmail ?? a.gitName ?? a.osUser) : null,
      lineStart: start.line,
      lineEnd: lastLine,
      lines: inserted,
      disposition: record.disposition,
      prompt: text(record.prompt?.content),
      code: text(record.insertedText),
    };
  }
  return {
    id: record.id,
    kind: 'session',
    time: new Date(record.startedAt).toISOString(),
    repoId: record.repo?.id ?? null,
    path: null,
    sessionId: record.id,
    tool: record.tool.name,
    model: modelName(record.model),
    author: null,
    lineStart: null,
    lineEnd: null,
    lines: record.counts.linesAdded,
    disposition: null,
    prompt: record.prompts.map((p) => text(p.content)).join('\n'),
    code: '',
  };
}

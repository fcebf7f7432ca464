/**
 * One writer per export format. Each receives the included records in chain order and writes as it goes:
 *
 *   jsonl        one record per line, exactly as chained (canonical JSON, the full v1 schema)
 *   csv          one row per record, flat columns (RFC 4180 quoting; cells that a spreadsheet would run
 *                as a formula are prefixed with ')
 *   agent-trace  one Agent Trace record per line for every edit that still attributes lines
 *   markdown     an audit report per session: who, which tool and model, the prompts, every edit
 *
 * Markdown groups by session, so it keeps the journal locations (numbers) of what it will print and
 * reads the records back at the end; the others keep nothing.
 */
import { createHash } from 'node:crypto';
import { editToAgentTrace, lineSpan } from '../model/agentTrace';
import { contentText } from '../model/content';
import type { AiEditSession, Content, EditEvent, ProvenanceRecord } from '../model/schema';
import { parseRecord } from '../model/version';
import { modelKey } from '../store/index/indexRow';
import { readLineAt } from '../store/journal/journalReader';
import type { ReviewMark } from '../git/gitRecords';
import type { JournalRecord } from './journalRecords';

/** Where a format writes its text: a file (HashingWriter) or, on the team server, an HTTP response. */
export interface TextSink {
  write(text: string): void;
}

/** Reads an included record back by the location it was handed out with (markdown groups by session). */
export type RecordReader = (location: JournalRecord['location']) => ProvenanceRecord | null;

/** Records read back from the journal file they were streamed from. */
export function journalReader(journalDir: string): RecordReader {
  return (loc) => {
    const line = readLineAt(journalDir, loc.segment, loc.offset, loc.length);
    if (line === null) return null;
    try {
      return parseRecord((JSON.parse(line) as { record: unknown }).record);
    } catch {
      return null;
    }
  };
}

export const EXPORT_FORMATS = ['jsonl', 'csv', 'agent-trace', 'markdown', 'intoto'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface FormatWriter {
  record(r: JournalRecord): void;
  end(): void;
}

export function jsonlWriter(out: TextSink): FormatWriter {
  return { record: (r) => out.write(`${r.canonical}\n`), end: () => undefined };
}

const CSV_COLUMNS = [
  'kind', 'id', 'time', 'end_time', 'repo_id', 'repo_remote', 'path', 'branch', 'commit', 'start_line', 'end_line', 'tool', 'tool_version', 'model',
  'session_id', 'disposition', 'capture_method', 'confidence', 'acceptor_git_name', 'acceptor_git_email', 'acceptor_os_user', 'review_status',
  'content_sha256', 'prompt', 'prompt_sha256', 'lines_added', 'lines_kept', 'lines_rejected',
] as const;

export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const promptText = (c: Content | undefined) => (c ? contentText(c) : undefined);
const promptHash = (c: Content | undefined) => (c && 'sha256' in c ? c.sha256 : undefined);

function csvRow(record: ProvenanceRecord): (string | number | undefined)[] {
  if (record.kind === 'edit') {
    const e = record;
    return [
      'edit', e.id, e.time, '', e.file.repo?.id, e.file.repo?.remote, e.file.path, e.file.branch, e.file.commit, lineSpan(e.rangeAfter)?.start, lineSpan(e.rangeAfter)?.end,
      e.tool.name, e.tool.version, modelKey(e.model), e.sessionId, e.disposition, e.capture.method, e.capture.confidence, e.acceptor?.gitName, e.acceptor?.gitEmail,
      e.acceptor?.osUser, e.review.status, e.contentHash, promptText(e.prompt?.content), promptHash(e.prompt?.content), '', '', '',
    ];
  }
  const s = record;
  const last = s.prompts[s.prompts.length - 1]?.content;
  return [
    'session', s.id, s.startedAt, s.endedAt, s.repo?.id, s.repo?.remote, s.files.join(' '), '', '', '', '', s.tool.name, s.tool.version, modelKey(s.model), s.id, '',
    s.capture.method, s.capture.confidence, '', '', '', '', '', promptText(last), promptHash(last), s.counts.linesAdded, s.counts.linesKept, s.counts.linesRejected,
  ];
}

export function csvWriter(out: TextSink): FormatWriter {
  out.write(`${CSV_COLUMNS.join(',')}\r\n`);
  return { record: (r) => out.write(`${csvRow(r.record).map(csvCell).join(',')}\r\n`), end: () => undefined };
}

/** A stable UUID (version 8, RFC 9562 custom) derived from the record id: re-exports name records alike. */
export function recordUuid(id: string): string {
  const h = createHash('sha256').update(`lineagelens:${id}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function agentTraceWriter(out: TextSink): FormatWriter {
  return {
    record: (r) => {
      if (r.record.kind !== 'edit') return;
      const trace = editToAgentTrace(r.record, recordUuid(r.record.id));
      if (trace) out.write(`${JSON.stringify(trace)}\n`);
    },
    end: () => undefined,
  };
}

const md = (text: string) => text.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\s+/g, ' ').trim();

function mdPrompt(c: Content): string {
  const text = contentText(c);
  if (text === undefined) return c.form === 'hash' ? `(kept as hash only: sha256 ${c.sha256})` : '(not kept)';
  const flat = md(text);
  return flat.length > 500 ? `${flat.slice(0, 499)}…` : flat;
}

export function markdownWriter(out: TextSink, source: string | RecordReader, title: string, reviewOf: (sessionId: string, editId: string) => ReviewMark | null = () => null): FormatWriter {
  const readBack = typeof source === 'string' ? journalReader(source) : source;
  const groups = new Map<string, { session: number[] | null; edits: number[][] }>();
  let edits = 0;
  return {
    record: (r) => {
      const key = r.record.kind === 'edit' ? r.record.sessionId : r.record.id;
      const group = groups.get(key) ?? { session: null, edits: [] };
      groups.set(key, group);
      const loc = [r.location.segment, r.location.offset, r.location.length];
      if (r.record.kind === 'session') group.session = loc;
      else {
        group.edits.push(loc);
        edits++;
      }
    },
    end: () => {
      const read = (loc: number[]): ProvenanceRecord | null => readBack({ segment: loc[0]!, offset: loc[1]!, length: loc[2]! });
      out.write(`# ${md(title)}\n\n${groups.size} session(s), ${edits} AI edit(s).\n\n`);
      for (const [id, group] of groups) {
        const session = group.session ? (read(group.session) as AiEditSession | null) : null;
        out.write(`## Session \`${id.replace(/`/g, '')}\`\n\n`);
        if (session) {
          out.write(`- Tool: ${md(session.tool.name)}${session.tool.version ? ` ${md(session.tool.version)}` : ''}; model: ${md(modelKey(session.model))}\n`);
          out.write(`- From ${session.startedAt} to ${session.endedAt}; files: ${session.files.map(md).join(', ') || '(none)'}\n`);
          out.write(`- Lines added ${session.counts.linesAdded}, kept ${session.counts.linesKept}, rejected ${session.counts.linesRejected}\n`);
          if (session.prompts.length) {
            out.write('\nPrompts:\n\n');
            session.prompts.forEach((p, i) => out.write(`${i + 1}. ${mdPrompt(p.content)}\n`));
          }
        }
        if (group.edits.length) {
          out.write('\n| time | file | lines | tool / model | disposition | accepted by | review | content sha256 |\n|---|---|---|---|---|---|---|---|\n');
          for (const loc of group.edits) {
            const e = read(loc) as EditEvent | null;
            if (!e) continue;
            const who = e.acceptor ? md(e.acceptor.gitEmail ? `${e.acceptor.gitName ?? e.acceptor.osUser} (${e.acceptor.gitEmail})` : e.acceptor.gitName ?? e.acceptor.osUser) : 'unknown';
            const span = lineSpan(e.rangeAfter);
            const lines = span ? `${span.start}-${span.end}` : '(none)';
            const mark = reviewOf(e.sessionId, e.id);
            const review = mark ? `${mark.status} by ${md(mark.by.gitName ?? mark.by.osUser)} ${mark.time}` : e.review.status;
            out.write(`| ${e.time} | ${md(e.file.path)} | ${lines} | ${md(e.tool.name)} / ${md(modelKey(e.model))} | ${e.disposition} | ${who} | ${review} | \`${e.contentHash.slice(0, 16)}…\` |\n`);
          }
          const prompted = group.edits.map(read).find((e): e is EditEvent => e?.kind === 'edit' && e.prompt !== null);
          if (!session && prompted?.prompt) out.write(`\nPrompt: ${mdPrompt(prompted.prompt.content)}\n`);
        }
        out.write('\n');
      }
    },
  };
}

import { RecordParseError, parseRecordJson } from './version';

export interface JsonlProblem {
  line: number;
  reason: RecordParseError['reason'] | 'too_long';
  message: string;
}
export interface JsonlReport {
  valid: number;
  invalid: number;
  edits: number;
  sessions: number;
}

/** Lines longer than this are refused without parsing: no single record is that large. */
export const MAX_RECORD_LINE_CHARS = 8 * 1024 * 1024;

/** Validates a stream of JSONL lines; blank lines are ignored. Never throws for bad content. */
export async function validateJsonl(lines: AsyncIterable<string>, onProblem: (p: JsonlProblem) => void): Promise<JsonlReport> {
  const report: JsonlReport = { valid: 0, invalid: 0, edits: 0, sessions: 0 };
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (line === '') continue;
    if (line.length > MAX_RECORD_LINE_CHARS) {
      report.invalid++;
      onProblem({ line: n, reason: 'too_long', message: `line is ${line.length} characters, over the ${MAX_RECORD_LINE_CHARS} limit` });
      continue;
    }
    try {
      const record = parseRecordJson(line);
      report.valid++;
      if (record.kind === 'edit') report.edits++;
      else report.sessions++;
    } catch (err) {
      if (!(err instanceof RecordParseError)) throw err;
      report.invalid++;
      onProblem({ line: n, reason: err.reason, message: err.message });
    }
  }
  return report;
}

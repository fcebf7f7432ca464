/**
 * Turning a classified change into provenance records. Pure: the caller supplies repository facts, the
 * acceptor and the session; privacy (redaction/hashing) is applied by the store before anything is written.
 */
import { sha256Hex, textContent } from '../model/content';
import { timeSortableId } from '../model/ids';
import type { Acceptor, Disposition, EditEvent, FileRef, Model, Prompt, Range, Tool } from '../model/schema';
import { SCHEMA_ID } from '../model/schema';
import type { Claim, ObservedContentChange } from './classifier';

/** The range a text occupies once inserted at `start`. */
export function rangeOfInsertedText(start: Range['start'], text: string): Range {
  let lines = 0;
  let lastBreak = -1;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      lines++;
      lastBreak = i;
    }
  }
  const end = lines === 0 ? { line: start.line, character: start.character + text.length } : { line: start.line + lines, character: text.length - lastBreak - 1 };
  return { start, end };
}

export interface EditEventInput {
  change: ObservedContentChange;
  /** The text the change replaced, when known (else only its length is known, and it is not recorded). */
  replacedText?: string;
  claim: Pick<Claim, 'method' | 'confidence' | 'detail' | 'tool'>;
  time: number;
  sessionId: string;
  file: FileRef;
  acceptor: Acceptor | null;
  disposition: Disposition;
  model?: Model;
  prompt?: Prompt | null;
  tool?: Tool;
}

export function buildEditEvent(input: EditEventInput): EditEvent {
  const { change } = input;
  const inserted = textContent(change.text);
  return {
    schema: SCHEMA_ID,
    kind: 'edit',
    id: timeSortableId('ed', input.time),
    time: new Date(input.time).toISOString(),
    tool: input.tool ?? input.claim.tool,
    model: input.model ?? 'unknown',
    prompt: input.prompt ?? null,
    sessionId: input.sessionId,
    file: input.file,
    rangeBefore: change.range,
    rangeAfter: rangeOfInsertedText(change.range.start, change.text),
    insertedText: inserted,
    deletedText: input.replacedText !== undefined ? textContent(input.replacedText) : { form: 'none' },
    contentHash: sha256Hex(change.text),
    disposition: input.disposition,
    acceptor: input.acceptor,
    capture: {
      method: input.claim.method,
      confidence: input.claim.confidence,
      ...(input.claim.detail ? { detail: input.claim.detail } : {}),
    },
    review: { status: 'unreviewed' },
  };
}

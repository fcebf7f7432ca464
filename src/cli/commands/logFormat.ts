/** How `lineagelens log` shows one edit record: a few lines of facts, never more of the prompt than its stored first line. */
import type { Content, EditEvent, Model, Range } from '../../core/model/schema';

const PROMPT_EXCERPT_CHARS = 80;

export function formatEdit(edit: EditEvent): string {
  const head = [edit.time, edit.tool.name + (edit.tool.version ? ` ${edit.tool.version}` : ''), modelName(edit.model), `${edit.file.path}${lineSuffix(edit.rangeAfter)}`, edit.disposition];
  const who = edit.acceptor ? `${edit.acceptor.gitName ?? edit.acceptor.osUser}${edit.acceptor.gitEmail ? ` <${edit.acceptor.gitEmail}>` : ''}` : 'unknown';
  const lines = [
    head.join('  '),
    `    capture ${edit.capture.method} (${edit.capture.confidence.toFixed(2)})  session ${edit.sessionId}  accepted by ${who}`,
  ];
  if (edit.prompt) lines.push(`    prompt: ${promptExcerpt(edit.prompt.content)}`);
  return lines.join('\n') + '\n';
}

export function modelName(model: Model): string {
  if (model === 'unknown') return 'model unknown';
  return model.provider ? `${model.provider}/${model.id}` : model.id;
}

/** `:3-5` for 0-based end-exclusive whole lines 2..5; nothing for an edit without lines. */
export function lineSuffix(range: Range): string {
  const first = range.start.line + 1;
  const last = range.end.character === 0 ? range.end.line : range.end.line + 1;
  if (last < first) return '';
  return first === last ? `:${first}` : `:${first}-${last}`;
}

/** The first line of the prompt as stored (already redacted or withheld by the privacy level). */
export function promptExcerpt(content: Content): string {
  if (content.form === 'hash') return '(kept as a hash only)';
  if (content.form === 'none') return '(not kept)';
  const firstLine = content.text.split(/\r?\n/, 1)[0]!.trim();
  const excerpt = firstLine.length > PROMPT_EXCERPT_CHARS ? `${firstLine.slice(0, PROMPT_EXCERPT_CHARS - 1)}…` : firstLine;
  return JSON.stringify(excerpt);
}

/**
 * Inserting into and removing from JSON containers by splicing text, in the file's own style (indentation
 * unit, line break, inline or multi-line containers). Removal deletes exactly the span an insertion adds —
 * the separator before the element and the element — so install followed by uninstall gives back the
 * original bytes.
 */
import type { JsonNode, JsonProperty } from './jsonTree';

export interface JsonStyle {
  /** One level of indentation: spaces or a tab, as the file uses. */
  indent: string;
  eol: '\n' | '\r\n';
}

export function detectStyle(text: string): JsonStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let smallest: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^([ \t]+)\S/.exec(line);
    if (!m) continue;
    if (m[1].startsWith('\t')) return { indent: '\t', eol };
    if (smallest === undefined || m[1].length < smallest.length) smallest = m[1];
  }
  return { indent: smallest ?? '  ', eol };
}

/** The whitespace at the start of the line that contains `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** A value as JSON text in the file's style, its continuation lines indented by `baseIndent`. */
export function formatValue(value: unknown, style: JsonStyle, baseIndent: string): string {
  return JSON.stringify(value, null, style.indent)
    .split('\n')
    .map((line, i) => (i === 0 ? line : baseIndent + line))
    .join(style.eol);
}

export interface Span {
  start: number;
  end: number;
}

interface Edit extends Span {
  text: string;
}

export function applyEdit(text: string, edit: Edit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

function childStarts(container: JsonNode): number[] {
  if (container.type === 'object') return container.properties.map((p) => p.keyStart);
  if (container.type === 'array') return container.items.map((i) => i.start);
  return [];
}

function childEnds(container: JsonNode): number[] {
  if (container.type === 'object') return container.properties.map((p) => p.value.end);
  if (container.type === 'array') return container.items.map((i) => i.end);
  return [];
}

/** Appends a member (`"key": value` for objects, `value` for arrays) as the container's last child. */
export function appendChild(text: string, container: JsonNode, member: { key?: string; value: unknown }, style: JsonStyle): string {
  const starts = childStarts(container);
  const ends = childEnds(container);
  const prefixOf = (indent: string) => (member.key !== undefined ? `${JSON.stringify(member.key)}: ` : '') + formatValue(member.value, style, indent);
  if (starts.length === 0) {
    // An empty container: open it up onto its own lines, one level deeper than the line it is on.
    const outer = lineIndentAt(text, container.start);
    const inner = outer + style.indent;
    return applyEdit(text, { start: container.start + 1, end: container.end - 1, text: `${style.eol}${inner}${prefixOf(inner)}${style.eol}${outer}` });
  }
  const firstStart = starts[0];
  const lastEnd = ends[ends.length - 1];
  const multiline = text.slice(container.start, firstStart).includes('\n');
  if (multiline) {
    const indent = lineIndentAt(text, firstStart);
    return applyEdit(text, { start: lastEnd, end: lastEnd, text: `,${style.eol}${indent}${prefixOf(indent)}` });
  }
  const compact = (member.key !== undefined ? `${JSON.stringify(member.key)}: ` : '') + JSON.stringify(member.value);
  return applyEdit(text, { start: lastEnd, end: lastEnd, text: `, ${compact}` });
}

/**
 * The spans to delete to remove some children of a container, each with the separator that joined it to its
 * neighbour — exactly what appendChild added. Removing every child empties the container to `{}` / `[]`.
 */
export function childRemovalSpans(container: JsonNode, remove: ReadonlySet<number>): Span[] {
  const starts = childStarts(container);
  const ends = childEnds(container);
  const n = starts.length;
  const indexes = [...remove].filter((i) => i >= 0 && i < n).sort((a, b) => a - b);
  if (indexes.length === 0) return [];
  if (indexes.length === n) return [{ start: container.start + 1, end: container.end - 1 }];
  const spans: Span[] = [];
  for (let k = 0; k < indexes.length; ) {
    // A run of adjacent children goes in one span.
    let last = k;
    while (last + 1 < indexes.length && indexes[last + 1] === indexes[last] + 1) last++;
    const a = indexes[k];
    const b = indexes[last];
    spans.push(a > 0 ? { start: ends[a - 1], end: ends[b] } : { start: starts[a], end: starts[b + 1] });
    k = last + 1;
  }
  return spans;
}

/** Replaces a value (e.g. a command string) in place. */
export function replaceValue(text: string, node: JsonNode, value: unknown): string {
  return applyEdit(text, { start: node.start, end: node.end, text: JSON.stringify(value) });
}

export function isObjectNode(node: JsonNode | undefined): node is Extract<JsonNode, { type: 'object' }> {
  return node?.type === 'object';
}

export function isArrayNode(node: JsonNode | undefined): node is Extract<JsonNode, { type: 'array' }> {
  return node?.type === 'array';
}

export type { JsonProperty };

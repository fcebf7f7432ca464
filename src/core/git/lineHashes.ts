/**
 * How committed lines are compared and hashed. A line is compared without its trailing whitespace (and
 * carriage return): formatters and editors strip it on save, and that must not turn AI text human.
 * Line hashes are the first 16 hex digits (64 bits) of SHA-256: enough to tell lines of one file apart,
 * short enough to keep one per bound line. Range hashes are full SHA-256 of the range's lines joined by \n.
 */
import { createHash } from 'node:crypto';

export function normaliseLine(line: string): string {
  return line.replace(/\s+$/, '');
}

export function lineHash(line: string): string {
  return createHash('sha256').update(normaliseLine(line)).digest('hex').slice(0, 16);
}

export function rangeHash(lines: readonly string[]): string {
  return createHash('sha256').update(lines.map(normaliseLine).join('\n')).digest('hex');
}

/** A line with no letter or digit (`}`, blank, `});`): too common to anchor anything on its own. */
export function isTrivialLine(line: string): boolean {
  return !/[\p{L}\p{N}]/u.test(line);
}

/** The lines of a text file (no trailing empty line for a final newline); null for binary content. */
export function blobLines(blob: Buffer): string[] | null {
  if (blob.includes(0)) return null;
  const text = blob.toString('utf8');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

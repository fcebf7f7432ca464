/**
 * Line-by-line provenance of a file at a revision: `git blame --porcelain` says which commit added each
 * line and where the line was in that commit; the ledger says whether that commit's line is bound to an
 * AI edit. A binding counts only when the line's hash still equals the bound hash (defence against a
 * binding that does not describe this content). Pure data: the CLI formats it.
 */
import * as path from 'node:path';
import { gitText, repoRoot } from './gitExec';
import type { LedgerView } from './gitLedger';
import type { Binding, ReviewMark } from './gitRecords';
import { lineHash } from './lineHashes';

export interface BlameLine extends RawBlameLine {
  ai: { binding: Binding; review: ReviewMark | null } | null;
}

export interface BlameOptions {
  repoDir: string;
  /** File path (absolute or relative to the current directory / repository). */
  file: string;
  rev?: string;
  ledger: LedgerView;
}

export interface RawBlameLine {
  /** 1-based line number at the blamed revision. */
  line: number;
  text: string;
  commit: string;
  /** Path and 1-based line in the commit that added the line. */
  origPath: string;
  origLine: number;
  author: { name: string; email: string; time: string };
}

/** Path of `file` relative to the repository root, with forward slashes. */
export function repoRelative(root: string, file: string, cwd = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const rel = path.relative(root, absolute).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${file} is not inside the repository at ${root}`);
  return rel;
}

/** `ranges`: only these 1-based inclusive line ranges (one `-L` each); the result is then in line order of those. */
export async function gitBlame(root: string, relPath: string, rev = 'HEAD', ranges?: readonly (readonly [number, number])[]): Promise<RawBlameLine[]> {
  const only = (ranges ?? []).flatMap(([s, e]) => ['-L', `${s},${e}`]);
  const out = await gitText(root, ['blame', '--porcelain', ...only, rev, '--', relPath]);
  const result: RawBlameLine[] = [];
  const info = new Map<string, { name: string; email: string; time: string; filename: string }>();
  let current: { commit: string; origLine: number; finalLine: number } | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('\t')) {
      if (!current) continue;
      const meta = info.get(current.commit)!;
      result.push({
        line: current.finalLine,
        text: line.slice(1),
        commit: current.commit,
        origPath: meta.filename,
        origLine: current.origLine,
        author: { name: meta.name, email: meta.email, time: meta.time },
      });
      current = null;
      continue;
    }
    const header = /^([0-9a-f]{40,64}) (\d+) (\d+)/.exec(line);
    if (header && !current) {
      current = { commit: header[1]!, origLine: Number(header[2]), finalLine: Number(header[3]) };
      if (!info.has(current.commit)) info.set(current.commit, { name: '', email: '', time: '', filename: relPath });
      continue;
    }
    if (!current) continue;
    const meta = info.get(current.commit)!;
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'author') meta.name = value;
    else if (key === 'author-mail') meta.email = value.replace(/^<|>$/g, '');
    else if (key === 'author-time') meta.time = new Date(Number(value) * 1000).toISOString();
    else if (key === 'filename') meta.filename = value;
  }
  return result;
}

export async function blameFile(options: BlameOptions): Promise<{ root: string; path: string; rev: string; lines: BlameLine[] }> {
  const root = await repoRoot(path.isAbsolute(options.file) ? path.dirname(options.file) : options.repoDir);
  const rel = repoRelative(root, options.file, options.repoDir);
  const rev = options.rev ?? 'HEAD';
  const raw = await gitBlame(root, rel, rev);
  const lines = raw.map((l): BlameLine => {
    const hit = options.ledger.lineAt(l.commit, l.origPath, l.origLine);
    const ai = hit && hit.lineHash === lineHash(l.text) ? { binding: hit.binding, review: options.ledger.reviewFor(hit.binding, l.origLine) } : null;
    return { ...l, ai };
  });
  return { root, path: rel, rev, lines };
}

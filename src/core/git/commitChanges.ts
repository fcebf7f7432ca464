/**
 * What a commit added: for each changed text file, the 1-based line numbers (in the committed blob) that
 * the commit added relative to its first parent (or to nothing, for a root commit). Parsed from
 * `git diff -U0`, whose hunk headers `@@ -a,b +c,d @@` name exactly the added lines `c..c+d-1`.
 */
import { gitText } from './gitExec';

export interface FileAdditions {
  path: string;
  /** 1-based line numbers in the new blob. */
  added: Set<number>;
}

export interface CommitInfo {
  commit: string;
  parents: string[];
  author: { name: string; email: string };
  time: string;
}

export async function commitInfo(repo: string, commit: string): Promise<CommitInfo> {
  const out = await gitText(repo, ['show', '-s', '--format=%H%x00%P%x00%an%x00%ae%x00%cI', commit]);
  const [id, parents, name, email, time] = out.trim().split('\0');
  return { commit: id!, parents: parents ? parents.split(' ') : [], author: { name: name ?? '', email: email ?? '' }, time: time ?? '' };
}

export async function commitAdditions(repo: string, commit: string, parent?: string | null): Promise<FileAdditions[]> {
  const first = parent === undefined ? (await commitInfo(repo, commit)).parents[0] : parent;
  const args = first
    ? ['diff', '--no-color', '--no-ext-diff', '--no-renames', '-U0', first, commit, '--']
    : ['diff-tree', '--root', '-r', '-p', '--no-color', '--no-ext-diff', '--no-renames', '-U0', commit, '--'];
  return parseAdditions(await gitText(repo, args));
}

/** Parses unified diff text with zero context. Deleted and binary files are left out. */
export function parseAdditions(diff: string): FileAdditions[] {
  const files: FileAdditions[] = [];
  let current: FileAdditions | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) current = null;
    else if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target === '/dev/null') current = null;
      else {
        current = { path: unquote(target).replace(/^b\//, ''), added: new Set() };
        files.push(current);
      }
    } else if (current && line.startsWith('@@')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      for (let n = start; n < start + count; n++) current.added.add(n);
    }
  }
  return files.filter((f) => f.added.size > 0);
}

/** git quotes paths with unusual bytes ("b/a\tb"): decode the C-style escapes. */
export function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(({ n: 10, t: 9, '"': 34, '\\': 92 } as Record<string, number>)[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Running the real `git` binary: arguments as an array (never a shell), output as a Buffer or text, a clear
 * error naming the command when git fails. Commands that read many objects use one `cat-file --batch`
 * process instead of one process per object.
 */
import { execFile, spawn } from 'node:child_process';

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** Bytes written to git's stdin. */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_BUFFER = 512 * 1024 * 1024;

/** Runs `git <args>` in `cwd`; resolves with stdout as a Buffer, rejects with GitError. */
export function gitBuffer(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotePath=false', ...args],
      { cwd, encoding: 'buffer', maxBuffer: MAX_BUFFER, timeout: options.timeoutMs ?? 120_000, windowsHide: true, env: options.env ?? process.env },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
          const why = stderr.toString('utf8').trim().split('\n').slice(0, 3).join(' / ');
          reject(new GitError(`git ${args[0] ?? ''} failed${code === null ? '' : ` (exit ${code})`}: ${why || err.message}`, code));
        } else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function gitText(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await gitBuffer(cwd, args, options)).toString('utf8');
}

/** A full commit id for any revision expression (`HEAD`, a branch, a short id). */
export async function resolveCommit(cwd: string, rev: string): Promise<string> {
  return (await gitText(cwd, ['rev-parse', '--verify', '-q', `${rev}^{commit}`])).trim();
}

export async function repoRoot(cwd: string): Promise<string> {
  return (await gitText(cwd, ['rev-parse', '--show-toplevel'])).trim();
}

/**
 * Reads many objects (`<rev>:<path>` specs) with one `git cat-file --batch`; a missing object is null.
 * Output is parsed by the sizes git announces, so contents with any bytes are safe.
 */
export function catFiles(cwd: string, specs: readonly string[]): Promise<(Buffer | null)[]> {
  if (specs.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, windowsHide: true });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitError(`git cat-file failed (exit ${code}): ${stderr.trim()}`, code));
      const out = Buffer.concat(chunks);
      const results: (Buffer | null)[] = [];
      let at = 0;
      for (let i = 0; i < specs.length; i++) {
        const nl = out.indexOf(0x0a, at);
        if (nl < 0) return reject(new GitError('git cat-file: truncated output', null));
        const header = out.toString('utf8', at, nl);
        at = nl + 1;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) {
          results.push(null); // "<spec> missing" or "ambiguous"
          continue;
        }
        const size = Number(m[2]);
        results.push(m[1] === 'blob' ? out.subarray(at, at + size) : null);
        at += size + 1;
      }
      resolve(results);
    });
    // Specs are newline-separated: a path with a newline cannot be asked for (and is skipped by callers).
    child.stdin.end(specs.map((s) => `${s}\n`).join(''));
  });
}

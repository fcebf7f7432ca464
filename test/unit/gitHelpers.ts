/** Real git repositories in temp dirs for the git binding tests, and AI edit records to put in a store. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sha256Hex, textContent } from '../../src/core/model/content';
import { type EditEvent, SCHEMA_ID } from '../../src/core/model/schema';

export function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Dana Dev',
    GIT_AUTHOR_EMAIL: 'dana@example.com',
    GIT_COMMITTER_NAME: 'Dana Dev',
    GIT_COMMITTER_EMAIL: 'dana@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LINEAGELENS_HOME: home,
    GIT_EDITOR: 'true',
  };
}

export class TempRepo {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'll-git-repo-'));
  constructor(readonly env: NodeJS.ProcessEnv) {
    this.git('init', '-q', '-b', 'main');
  }
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  gitWith(env: NodeJS.ProcessEnv, ...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: { ...this.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  write(file: string, lines: string[]): void {
    writeFileSync(path.join(this.dir, file), `${lines.join('\n')}\n`);
  }
  commitAll(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let counter = 0;

/** An accepted AI edit that inserted `lines` (whole lines) at 0-based `line` of `file`. */
export function aiEdit(repoId: string, file: string, line: number, lines: string[], extra: Partial<EditEvent> = {}): EditEvent {
  const text = `${lines.join('\n')}\n`;
  counter++;
  return {
    schema: SCHEMA_ID,
    kind: 'edit',
    id: `ed_test_${counter}_${sha256Hex(text).slice(0, 8)}`,
    time: new Date(Date.UTC(2026, 10, 20, 10, 0, counter)).toISOString(),
    tool: { name: 'claude-code', version: '2.0.14' },
    model: { id: 'claude-sonnet-4-5', provider: 'anthropic' },
    prompt: { content: textContent(`Write the helper number ${counter}`), source: 'hook' },
    sessionId: 'ses_test_1',
    file: { path: file, repo: { id: repoId } },
    rangeBefore: { start: { line, character: 0 }, end: { line, character: 0 } },
    rangeAfter: { start: { line, character: 0 }, end: { line: line + lines.length, character: 0 } },
    insertedText: textContent(text),
    deletedText: { form: 'none' },
    contentHash: sha256Hex(text),
    disposition: 'accepted',
    acceptor: { gitName: 'Dana Dev', gitEmail: 'dana@example.com', osUser: 'dana' },
    capture: { method: 'hook', confidence: 1 },
    review: { status: 'unreviewed' },
    ...extra,
  };
}

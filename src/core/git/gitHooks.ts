/**
 * Installing the git hooks that feed the ledger: `post-commit` (bind the new commit) and `post-rewrite`
 * (follow amend and rebase). The hooks directory is asked from git (`git rev-parse --git-path hooks`), so
 * `core.hooksPath` and worktrees are respected. An existing hook is kept: our lines go between marker
 * comments that uninstall removes again. Our hook lines never fail the git command (`|| true`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gitText } from './gitExec';

export const GIT_HOOKS = ['post-commit', 'post-rewrite'] as const;
export type GitHookName = (typeof GIT_HOOKS)[number];

const BEGIN = '# >>> lineagelens >>>';
const END = '# <<< lineagelens <<<';

export async function gitHooksDir(repoDir: string): Promise<string> {
  const dir = (await gitText(repoDir, ['rev-parse', '--git-path', 'hooks'])).trim();
  return path.resolve(repoDir, dir);
}

/** The block our hook adds; `command` is the CLI invocation (absolute node and script paths, quoted). */
export function hookBlock(hook: GitHookName, command: string, options = ''): string {
  // post-rewrite gets its pairs on stdin and the rewrite kind ("amend" or "rebase") as $1.
  const run = hook === 'post-rewrite' ? `${command} git post-rewrite "$1"${options}` : `${command} git post-commit${options}`;
  return `${BEGIN}\n${run} || true\n${END}\n`;
}

export interface HookChange {
  hook: GitHookName;
  file: string;
  action: 'created' | 'added' | 'updated' | 'removed' | 'unchanged' | 'absent';
}

export async function installGitHooks(repoDir: string, command: string, options = ''): Promise<HookChange[]> {
  const dir = await gitHooksDir(repoDir);
  mkdirSync(dir, { recursive: true });
  return GIT_HOOKS.map((hook) => {
    const file = path.join(dir, hook);
    const block = hookBlock(hook, command, options);
    if (!existsSync(file)) {
      writeFileSync(file, `#!/bin/sh\n${block}`, { mode: 0o755 });
      return { hook, file, action: 'created' };
    }
    const text = readFileSync(file, 'utf8');
    const stripped = removeBlock(text);
    const next = `${stripped.replace(/\n*$/, '\n')}${block}`;
    if (next === text) return { hook, file, action: 'unchanged' };
    writeFileSync(file, next);
    chmodSync(file, 0o755);
    return { hook, file, action: stripped === text ? 'added' : 'updated' };
  });
}

export async function uninstallGitHooks(repoDir: string): Promise<HookChange[]> {
  const dir = await gitHooksDir(repoDir);
  return GIT_HOOKS.map((hook) => {
    const file = path.join(dir, hook);
    if (!existsSync(file)) return { hook, file, action: 'absent' };
    const text = readFileSync(file, 'utf8');
    const stripped = removeBlock(text);
    if (stripped === text) return { hook, file, action: 'unchanged' };
    writeFileSync(file, stripped);
    return { hook, file, action: 'removed' };
  });
}

function removeBlock(text: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return text;
  return text.slice(0, start) + text.slice(end + END.length).replace(/^\n/, '');
}

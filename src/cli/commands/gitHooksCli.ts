/**
 * `lineagelens hooks install git [--repo DIR] [--home DIR] [--notes]` / `hooks uninstall git`: the
 * repository's post-commit and post-rewrite hooks run `"<node>" "<this CLI>" lineagelens git
 * post-commit|post-rewrite` (with `--notes`, the hooks also write git notes).
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { installGitHooks, uninstallGitHooks } from '../../core/git/gitHooks';
import { parseStoreArgs } from './storeArgs';

export async function runGitHooks(sub: 'install' | 'uninstall', args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--repo'], ['--notes']);
  } catch (err) {
    process.stderr.write(`lineagelens hooks ${sub} git: ${(err as Error).message}\n`);
    return 2;
  }
  const repo = path.resolve(parsed.values.get('--repo') ?? process.cwd());
  try {
    const cli = realpathSync.native(process.argv[1] ?? __filename);
    for (const p of [process.execPath, cli, parsed.home]) if (p.includes('"')) throw new Error(`cannot write a hook for a path containing '"': ${p}`);
    const home = `${args.includes('--home') ? ` --home "${parsed.home}"` : ''}${parsed.flags.has('--notes') ? ' --notes' : ''}`;
    // "lineagelens" before the subcommand marks the line as ours whatever the CLI file is called.
    const changes = sub === 'install' ? await installGitHooks(repo, `"${process.execPath}" "${cli}" lineagelens`, home) : await uninstallGitHooks(repo);
    for (const c of changes) process.stdout.write(`${c.hook}: ${c.action} (${c.file})\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens hooks ${sub} git: ${(err as Error).message}\n`);
    return 1;
  }
}

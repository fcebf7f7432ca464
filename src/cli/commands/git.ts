/**
 * `lineagelens git post-commit [--home DIR]`        bind the AI lines of HEAD (run from the post-commit hook)
 * `lineagelens git post-rewrite [amend|rebase]`     follow bindings through a rewrite (pairs on stdin)
 * `lineagelens git bind [--commit REV] [--json]`    bind one commit by hand (same as post-commit)
 * `lineagelens git import-notes`                    add bindings from refs/notes/lineagelens to the ledger
 * `--notes` (post-commit, post-rewrite, bind): also write the new bindings as git notes (gitNotes.ts)
 *
 * The hook forms always exit 0: a provenance problem must never fail or block a commit. Problems go to
 * stderr in one line (never code or prompts).
 */
import { bindCommit } from '../../core/git/bindCommit';
import { GitLedger, LedgerView } from '../../core/git/gitLedger';
import { importNotes, writeNote } from '../../core/git/gitNotes';
import { parseRewritePairs, reanchorRewrites } from '../../core/git/reanchor';
import { parseStoreArgs } from './storeArgs';
import { readStdin, withLedger, withStoreAndLedger } from './gitContext';

const USAGE = `usage: lineagelens git post-commit [--home DIR]
       lineagelens git post-rewrite [amend|rebase] [--home DIR]   (old/new pairs on stdin)
       lineagelens git bind [--commit REV] [--repo DIR] [--json] [--home DIR]
       lineagelens git import-notes [--repo DIR] [--home DIR]
       --notes: also write the bindings as notes under refs/notes/lineagelens
`;

export async function runGit(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseStoreArgs(rest, ['--commit', '--repo'], ['--notes']);
  } catch (err) {
    process.stderr.write(`lineagelens git: ${(err as Error).message}\n${USAGE}`);
    return sub === 'post-commit' || sub === 'post-rewrite' ? 0 : 2;
  }
  const repoDir = parsed.values.get('--repo') ?? process.cwd();
  try {
    if (sub === 'post-commit' || sub === 'bind') {
      const result = await withStoreAndLedger(parsed.home, (store, ledger) => bindCommit({ repoDir, commit: parsed.values.get('--commit') ?? 'HEAD', store, ledger }));
      if (result.humanChangeNote) process.stderr.write(`lineagelens: ${result.humanChangeNote}\n`);
      if (parsed.flags.has('--notes')) await writeNote(repoDir, result.commit, result.bindings);
      if (parsed.json) process.stdout.write(`${JSON.stringify({ commit: result.commit, bindings: result.bindings.length, aiLines: result.aiLines, addedLines: result.addedLines, humanChanges: result.humanChanges.length })}\n`);
      else if (sub === 'bind' || result.aiLines > 0) process.stdout.write(`lineagelens: ${result.aiLines} of ${result.addedLines} added lines of ${result.commit.slice(0, 12)} bound to AI edits\n`);
      return 0;
    }
    if (sub === 'post-rewrite') {
      const kind = parsed.positional[0] === 'amend' || parsed.positional[0] === 'rebase' ? parsed.positional[0] : 'other';
      const pairs = parseRewritePairs(await readStdin());
      const result = await withLedger(parsed.home, (ledger) => reanchorRewrites(repoDir, pairs, ledger, kind));
      if (parsed.flags.has('--notes')) {
        const view = new LedgerView(new GitLedger(parsed.home).readAll());
        for (const commit of new Set(pairs.map(([, n]) => n))) await writeNote(repoDir, commit, view.ofCommit(commit));
      }
      for (const note of result.notes) process.stderr.write(`lineagelens: ${note}\n`);
      if (result.aiLines > 0) process.stdout.write(`lineagelens: ${result.aiLines} AI lines followed through ${kind} (${result.pairs} commits)\n`);
      return 0;
    }
    if (sub === 'import-notes') {
      const result = await importNotes(repoDir, new GitLedger(parsed.home), (m) => process.stderr.write(`warning: ${m}\n`));
      process.stdout.write(`${result.added} binding(s) added from ${result.notes} note(s)\n`);
      return 0;
    }
  } catch (err) {
    process.stderr.write(`lineagelens git ${sub}: ${(err as Error).message}\n`);
    return sub === 'post-commit' || sub === 'post-rewrite' ? 0 : 1;
  }
  process.stderr.write(`lineagelens git: unknown subcommand "${sub ?? ''}"\n${USAGE}`);
  return 2;
}

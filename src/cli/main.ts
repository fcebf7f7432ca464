/**
 * `lineagelens` command-line entry. Each subcommand lives in its own file under commands/ and returns an
 * exit code; this file only dispatches. Subcommands are loaded when chosen, so a command starts only what
 * it uses: `hook` runs on every agent tool call and must not pay for SQLite, the server or the importers.
 */
import { VERSION } from './version';

const USAGE = `lineagelens ${VERSION} — provenance for AI-written code

Usage:
  lineagelens validate <file.jsonl|-> [--quiet]   check provenance records against schema v1
  lineagelens schema                              print the JSON Schema of the provenance records
  lineagelens serve [--host H] [--port P] [--data DIR] [--postgres URL]
                                                  start the team server (default 127.0.0.1:7878, ./lineagelens-data)
  lineagelens server user add <name> [--admin] | user list
  lineagelens server token create <user> | token revoke <id|token> | token list
  lineagelens server migrate                      manage the team server's users and tokens, migrate its
                                                  schema [--data DIR | --postgres URL]
  lineagelens server policy show|history|set <file.json> | server purge | server audit export [--out F]
                                                  governance: versioned policies, retention purge, audit log
  lineagelens server audit verify <audit.jsonl>   check an exported audit log's hash chain
  lineagelens sync [--server URL] [--token T] [--privacy L] [--home DIR]
                                                  upload the local store to a team server (exactly once)
  lineagelens doctor                              check that this installation works
  lineagelens verify [--home DIR] [--schema]      check the hash chain of the local store
  lineagelens store stats [--home DIR]            what the local store holds
  lineagelens store prune --older-than-days N     drop old records (recorded in the chain)
  lineagelens hook <tool> [--home DIR]            record one agent hook payload from stdin (always exits 0)
  lineagelens hooks install|uninstall <tool> [--user|--project] [--repo DIR] [--home DIR]
  lineagelens hooks status [<tool>] [--repo DIR] [--json]
                                                  set up an agent's hooks to run \`lineagelens hook\`
  lineagelens import <tool> <path...> [--home DIR] [--json]
                                                  import agent transcripts (files or folders)
  lineagelens enrich <tool> <path...> [--home DIR] [--json]
                                                  add prompt and model from session files to the editor's records
  lineagelens log [--tool T] [--file F] [--since ISO|7d|24h] [--limit N] [--json] [--home DIR]
                                                  recorded AI edits, newest first
  lineagelens hooks install|uninstall git [--repo DIR] [--home DIR] [--notes]
                                                  post-commit / post-rewrite hooks that bind AI lines to commits
  lineagelens git post-commit | post-rewrite [amend|rebase] | bind [--commit REV] | import-notes
  lineagelens rewrite-map <old>..<new> [--repo DIR]  follow AI lines through a server-side squash/rebase merge
  lineagelens blame <file> [--rev R] [--json] [--porcelain]
                                                  per line: human or AI (tool, model, session, prompt, review)
  lineagelens lineage <file>:<line> [--rev R] [--json | --prov]
                                                  the ancestry of a line: AI edits, rewrites, people, commits
  lineagelens lineage --descendants <session|prompt:ID> | --impact [--tool T] [--model M] [--since S] [--until U]
  lineagelens export --lineage <file:line|session> --out FILE   lineage as PROV-JSON (in-toto: --format intoto)
  lineagelens stats [<rev-range>] [--json]        AI vs human lines added and kept, per tool/model/author
  lineagelens review (--session S | --edit ID | --file F --lines A-B [--rev R]) [--changes-requested] [--note T]
                                                  mark AI lines reviewed (shown by blame)
  lineagelens export --format jsonl|csv|agent-trace|markdown|intoto --out FILE [--sign] [filters]
  lineagelens keys generate [--force] | keys show  Ed25519 signing key under the store home
  lineagelens verify <export> [--key PUB.pem]      check an export's signature, digests and record chain
  (tools: claude-code, cursor, copilot, codex, windsurf)
  lineagelens --version | --help
`;

export async function main(argv: string[]): Promise<number> {
  // A hook command may name the program again ("<node> <cli.js> lineagelens hook <tool>"): that is how
  // hook configurations recognise our entries when the CLI's path does not say lineagelens.
  const [command, ...rest] = argv[0] === 'lineagelens' ? argv.slice(1) : argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'validate':
      return (await import('./commands/validate')).runValidate(rest);
    case 'schema':
      return (await import('./commands/schema')).runSchema();
    case 'doctor':
      return (await import('./commands/doctor')).runDoctor();
    case 'serve':
      return (await import('./commands/serve')).runServe(rest);
    case 'server':
      return (await import('./commands/serverAdmin')).runServerAdmin(rest);
    case 'sync':
      return (await import('./commands/sync')).runSync(rest);
    case 'verify':
      return (await import('./commands/verify')).runVerify(rest);
    case 'store':
      return (await import('./commands/store')).runStore(rest);
    case 'hook':
      return (await import('./commands/hook')).runHook(rest);
    case 'hook-drain':
      return (await import('./commands/hookDrain')).runHookDrain(rest);
    case 'hooks':
      return (await import('./commands/hooks')).runHooks(rest);
    case 'import':
      return (await import('./commands/import')).runImport(rest);
    case 'enrich':
      return (await import('./commands/enrich')).runEnrich(rest);
    case 'log':
      return (await import('./commands/log')).runLog(rest);
    case 'git':
      return (await import('./commands/git')).runGit(rest);
    case 'rewrite-map':
      return (await import('./commands/rewriteMap')).runRewriteMap(rest);
    case 'blame':
      return (await import('./commands/blame')).runBlame(rest);
    case 'lineage':
      return (await import('./commands/lineage')).runLineage(rest);
    case 'stats':
      return (await import('./commands/stats')).runStats(rest);
    case 'review':
      return (await import('./commands/review')).runReview(rest);
    case 'export':
      return (await import('./commands/export')).runExport(rest);
    case 'keys':
      return (await import('./commands/keys')).runKeys(rest);
    default:
      process.stderr.write(`lineagelens: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

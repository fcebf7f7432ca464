/**
 * `lineagelens` command-line entry. Each subcommand lives in its own file under commands/ and returns an
 * exit code; this file only dispatches. Later issues add hook, import, log, blame, stats, export, verify.
 */
import { runDoctor } from './commands/doctor';
import { runSchema } from './commands/schema';
import { runServe } from './commands/serve';
import { runValidate } from './commands/validate';
import { VERSION } from './version';

const USAGE = `lineagelens ${VERSION} — provenance for AI-written code

Usage:
  lineagelens validate <file.jsonl|-> [--quiet]   check provenance records against schema v1
  lineagelens schema                              print the JSON Schema of the provenance records
  lineagelens serve [--host H] [--port P]         start the team server
  lineagelens doctor                              check that this installation works
  lineagelens --version | --help
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
      return runValidate(rest);
    case 'schema':
      return runSchema();
    case 'doctor':
      return runDoctor();
    case 'serve':
      return runServe(rest);
    default:
      process.stderr.write(`lineagelens: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

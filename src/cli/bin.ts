/** dist/cli.js entry: run the CLI and turn its result into the process exit code. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lineagelens: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

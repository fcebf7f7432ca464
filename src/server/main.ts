/** dist/server.js: the team server on its own, e.g. for a container (`node dist/server.js --host 0.0.0.0`). */
import { runServe } from '../cli/commands/serve';

runServe(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lineagelens server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

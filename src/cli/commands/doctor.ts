import { sqliteVersion } from '../../core/store/sqlEngine';
import { VERSION } from '../version';

/** `lineagelens doctor`: checks that this installation can run (engine loads), and prints facts. */
export async function runDoctor(): Promise<number> {
  process.stdout.write(`lineagelens ${VERSION} on Node ${process.versions.node} (${process.platform}-${process.arch})\n`);
  try {
    process.stdout.write(`sqlite (sql.js): ${await sqliteVersion()}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`sqlite (sql.js): FAILED: ${(err as Error).message}\n`);
    return 1;
  }
}

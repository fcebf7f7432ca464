import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../../server/app';
import { Accounts } from '../../server/db/accounts';
import { DB_FILE, openServerDb, resolveDataDir } from '../../server/db/serverDb';
import { VERSION } from '../version';

const USAGE = 'usage: lineagelens serve [--host H] [--port P] [--data DIR] [--max-body-mb N] [--rate-limit N]';

export async function runServe(args: string[]): Promise<number> {
  let values: { host?: string; port?: string; data?: string; 'max-body-mb'?: string; 'rate-limit'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { host: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' }, 'max-body-mb': { type: 'string' }, 'rate-limit': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`lineagelens serve: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const host = values.host ?? process.env.LINEAGELENS_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.LINEAGELENS_PORT ?? 7878);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`lineagelens serve: invalid port "${values.port ?? process.env.LINEAGELENS_PORT}"\n`);
    return 2;
  }
  const maxBodyMb = Number(values['max-body-mb'] ?? 16);
  const perSecond = Number(values['rate-limit'] ?? 200);
  if (!(maxBodyMb > 0) || !(perSecond > 0)) {
    process.stderr.write(`lineagelens serve: --max-body-mb and --rate-limit must be positive numbers\n`);
    return 2;
  }
  const dbFile = path.join(resolveDataDir(values.data), DB_FILE);

  // First start: an admin and its token, shown once (only its hash is kept).
  const db = openServerDb(dbFile);
  const issued = new Accounts(db).bootstrapAdmin();
  db.close();

  const running = await startServer({
    host,
    port,
    version: VERSION,
    dbFile,
    maxBodyBytes: Math.round(maxBodyMb * 1024 * 1024),
    rateLimit: { perSecond, burst: perSecond * 2 },
  });
  if (issued) {
    process.stdout.write(
      `First start: created user "admin". Its token is shown only this once; keep it safe:\n\n  ${issued.token}\n\n` +
        `Sign in to the dashboard with it, or create more users and tokens with \`lineagelens server user add\` / \`server token create\`.\n`,
    );
  }
  process.stdout.write(`LineageLens server ${VERSION} listening on ${running.url} (data: ${dbFile})\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`received ${signal}, finishing in-flight requests\n`);
      void running.close().then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

import { parseArgs } from 'node:util';
import { startServer } from '../../server/app';
import { VERSION } from '../version';

export async function runServe(args: string[]): Promise<number> {
  let values: { host?: string; port?: string };
  try {
    ({ values } = parseArgs({ args, options: { host: { type: 'string' }, port: { type: 'string' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`lineagelens serve: ${(err as Error).message}\n`);
    return 2;
  }
  const host = values.host ?? process.env.LINEAGELENS_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.LINEAGELENS_PORT ?? 7878);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`lineagelens serve: invalid port "${values.port ?? process.env.LINEAGELENS_PORT}"\n`);
    return 2;
  }
  const running = await startServer({ host, port, version: VERSION });
  process.stdout.write(`LineageLens server ${VERSION} listening on ${running.url}\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`received ${signal}, finishing in-flight requests\n`);
      void running.close().then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

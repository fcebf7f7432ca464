import { parseArgs } from 'node:util';
import { startServer } from '../../server/app';
import { openBackend } from '../../server/backend/openBackend';
import { VERSION } from '../version';
import { oidcConfigFromEnv, OidcSignIn } from '../../server/auth/oidc';

const USAGE = 'usage: lineagelens serve [--host H] [--port P] [--data DIR] [--postgres URL] [--max-body-mb N] [--rate-limit N]';

export async function runServe(args: string[]): Promise<number> {
  let values: { host?: string; port?: string; data?: string; postgres?: string; 'max-body-mb'?: string; 'rate-limit'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { host: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' }, postgres: { type: 'string' }, 'max-body-mb': { type: 'string' }, 'rate-limit': { type: 'string' } },
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
  // SQLite in the data folder, or PostgreSQL (--postgres / $LINEAGELENS_POSTGRES_URL), migrated on open.
  let backend;
  try {
    backend = await openBackend({ postgres: values.postgres, data: values.data, search: true, backgroundCheckpoints: { log: (m) => process.stderr.write(`lineagelens server: ${m}\n`) } });
  } catch (err) {
    process.stderr.write(`lineagelens serve: ${(err as Error).message}\n`);
    return 1;
  }
  // Optional OIDC dashboard sign-in; a half configuration stops the start with a message.
  let oidc: OidcSignIn | null = null;
  try {
    const config = oidcConfigFromEnv();
    if (config) oidc = new OidcSignIn(config);
  } catch (err) {
    await backend.close();
    process.stderr.write(`lineagelens serve: ${(err as Error).message}\n`);
    return 1;
  }
  // First start: an admin and its token, shown once (only its hash is kept).
  let issued;
  try {
    issued = await backend.accounts.bootstrapAdmin();
  } catch (err) {
    await backend.close();
    throw err;
  }

  const running = await startServer({
    host,
    port,
    version: VERSION,
    backend,
    maxBodyBytes: Math.round(maxBodyMb * 1024 * 1024),
    rateLimit: { perSecond, burst: perSecond * 2 },
    // Retention purge and review check (governance); hourly unless set (seconds, 0 = off).
    governanceIntervalMs: Number(process.env.LINEAGELENS_GOVERNANCE_INTERVAL_S ?? 3600) * 1000,
    // Secrets come from the environment only (never flags: a command line is visible to every user).
    oidc,
    webhooks: {
      github: process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET?.trim() || undefined,
      gitlab: process.env.LINEAGELENS_GITLAB_WEBHOOK_TOKEN?.trim() || undefined,
    },
  });
  if (issued) {
    process.stdout.write(
      `First start: created user "admin". Its token is shown only this once; keep it safe:\n\n  ${issued.token}\n\n` +
        `Sign in to the dashboard with it, or create more users and tokens with \`lineagelens server user add\` / \`server token create\`.\n`,
    );
  }
  process.stdout.write(`LineageLens server ${VERSION} listening on ${running.url} (data: ${backend.kind === 'sqlite' ? backend.description : `PostgreSQL ${backend.description}`})\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`received ${signal}, finishing in-flight requests\n`);
      void running.close().then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

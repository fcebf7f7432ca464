/**
 * `lineagelens sync`: moves new records of the local store into the outbox (at the upload privacy level)
 * and uploads the outbox to the team server, retrying through outages. Safe to interrupt at any point:
 * the next run resends only what the server has not acknowledged, and the server ignores resends.
 */
import { parseArgs } from 'node:util';
import { loadUserConfig } from '../../core/config/userConfig';
import { PrivacyLevel } from '../../core/privacy/privacyLevel';
import { resolveStoreHome } from '../../core/store/storeHome';
import { feedOutbox } from '../../core/sync/feedOutbox';
import { Outbox } from '../../core/sync/outbox';
import { acquireSyncLock } from '../../core/sync/syncLock';
import { serverKey, SyncError, syncOutbox } from '../../core/sync/syncClient';

const USAGE = `usage: lineagelens sync [--server URL] [--token T] [--privacy full|redacted|hash|off] [--repo ID]... [--batch N] [--retries N|forever] [--outbox-limit N] [--home DIR] [--json]
  --server defaults to $LINEAGELENS_SERVER_URL, --token to $LINEAGELENS_TOKEN (prefer the variable: argv is visible to other users)`;

export async function runSync(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        privacy: { type: 'string' },
        repo: { type: 'string', multiple: true },
        batch: { type: 'string' },
        retries: { type: 'string' },
        home: { type: 'string' },
        json: { type: 'boolean' },
        'outbox-limit': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`lineagelens sync: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const server = values.server ?? process.env.LINEAGELENS_SERVER_URL;
  const token = values.token ?? process.env.LINEAGELENS_TOKEN;
  if (!server || !token) {
    process.stderr.write(`lineagelens sync: a server URL and a token are needed\n${USAGE}\n`);
    return 2;
  }
  const privacy = values.privacy === undefined ? undefined : PrivacyLevel.safeParse(values.privacy);
  if (privacy && !privacy.success) {
    process.stderr.write(`lineagelens sync: --privacy must be one of ${PrivacyLevel.options.join(', ')}\n`);
    return 2;
  }
  const batch = Number(values.batch ?? 500);
  const retries = values.retries === undefined ? 8 : values.retries === 'forever' ? Infinity : Number(values.retries);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000 || !(retries >= 1)) {
    process.stderr.write(`lineagelens sync: --batch must be 1-1000 and --retries a positive number or "forever"\n`);
    return 2;
  }
  const outboxLimit = Number(values['outbox-limit'] ?? 10_000);
  if (!Number.isInteger(outboxLimit) || outboxLimit < 1) {
    process.stderr.write('lineagelens sync: --outbox-limit must be a positive integer\n');
    return 2;
  }
  const home = resolveStoreHome({ setting: values.home });
  const outbox = Outbox.open(home);
  const release = acquireSyncLock(outbox.dir);
  if (!release) {
    process.stderr.write('lineagelens sync: another sync of this store is running\n');
    if (values.json) process.stdout.write(`${JSON.stringify({ error: 'another sync of this store is running', status: null, pending: null, busy: true })}\n`);
    return 1;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const local = loadUserConfig(home).privacy;
    // Rounds of feed (bounded outbox) and upload, until the journal has nothing new.
    const result = { enqueued: 0, sent: 0, accepted: 0, duplicate: 0, pending: 0, ledger: { sent: 0, accepted: 0, duplicate: 0 } };
    for (;;) {
      const fed = feedOutbox(home, outbox, { localPrivacy: local, uploadPrivacy: privacy?.data, repos: values.repo, maxOutboxEntries: outboxLimit });
      result.enqueued += fed.enqueued;
      const round = await syncOutbox(outbox, {
        serverUrl: server,
        token,
        batchSize: batch,
        retry: { maxAttempts: retries },
        signal: abort.signal,
        repos: values.repo,
        onEvent: (e) => {
          if (values.json) return;
          if (e.type === 'retry') process.stderr.write(`server unavailable (${e.reason.slice(0, 200)}); retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s\n`);
          else if (e.type === 'rewind') process.stderr.write(`the server's chain ends at entry ${e.toSeq}; resending from there\n`);
        },
      });
      result.sent += round.sent;
      result.accepted += round.accepted;
      result.duplicate += round.duplicate;
      result.pending = round.pending;
      if (round.ledger) {
        result.ledger.sent += round.ledger.sent;
        result.ledger.accepted += round.ledger.accepted;
        result.ledger.duplicate += round.ledger.duplicate;
      }
      if (!fed.more) break;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`synced: ${result.sent} sent (${result.accepted} accepted, ${result.duplicate} already on the server), ${result.pending} pending; git bindings: ${result.ledger.sent} sent (${result.ledger.accepted} new)\n`);
    return 0;
  } catch (err) {
    if (err instanceof SyncError) {
      process.stderr.write(`lineagelens sync: ${err.message}; pending entries stay in the outbox\n`);
      // --json callers (the editor's background sync) decide when to retry from the status.
      if (values.json) process.stdout.write(`${JSON.stringify({ error: err.message, status: err.status, pending: pendingFor(outbox, server) })}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    release();
  }
}

function pendingFor(outbox: Outbox, server: string): number | null {
  try {
    return outbox.pending(serverKey(server)).length;
  } catch {
    return null; // not a usable URL: nothing was sent
  }
}

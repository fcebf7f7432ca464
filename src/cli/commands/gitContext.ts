/** What the git commands share: the ledger of the store home, and the store itself when it exists. */
import { existsSync } from 'node:fs';
import { GitLedger } from '../../core/git/gitLedger';
import { openStore, type ProvenanceStore } from '../../core/store/provenanceStore';
import { storeLayout } from '../../core/store/storeHome';

/** Runs `work` with the store (inProcess index; null when nothing was ever recorded) and the ledger. */
export async function withStoreAndLedger<T>(home: string, work: (store: ProvenanceStore | null, ledger: GitLedger) => Promise<T>): Promise<T> {
  const ledger = new GitLedger(home);
  if (!existsSync(storeLayout(home).manifest)) return work(null, ledger);
  const store = await openStore({ home, index: 'inProcess', onProblem: (p) => process.stderr.write(`lineagelens: warning: ${p.message}\n`) });
  try {
    return await work(store, ledger);
  } finally {
    await store.close();
  }
}

/** For commands that need only the ledger (rewrites, stats, review marks): no store, no SQLite. */
export async function withLedger<T>(home: string, work: (ledger: GitLedger) => Promise<T>): Promise<T> {
  return work(new GitLedger(home));
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => chunks.push(d));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

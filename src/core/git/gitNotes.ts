/**
 * Optional: provenance that travels with the repository, as git notes under `refs/notes/lineagelens`
 * (one note per commit: `{"schema":"lineagelens.notes/1","bindings":[...]}`; bindings hold edit facts and
 * hashes, never code or prompts). Share them with
 *   git push origin refs/notes/lineagelens
 *   git fetch origin refs/notes/lineagelens:refs/notes/lineagelens
 * and `importNotes` adds teammates' bindings to the local ledger (validated; known ids skipped).
 */
import { z } from 'zod';
import { formatIssues } from '../model/version';
import { catFiles, gitText } from './gitExec';
import { type GitLedger, LedgerView } from './gitLedger';
import { Binding } from './gitRecords';

export const NOTES_REF = 'refs/notes/lineagelens';
const NotePayload = z.object({ schema: z.literal('lineagelens.notes/1'), bindings: z.array(z.unknown()).max(100_000) });

/** Adds `bindings` to the commit's note (merging with what it holds, by binding id). */
export async function writeNote(repoDir: string, commit: string, bindings: readonly Binding[]): Promise<number> {
  if (bindings.length === 0) return 0;
  const existing = await readNote(repoDir, commit);
  const byId = new Map(existing.map((b) => [b.id, b]));
  for (const b of bindings) byId.set(b.id, b);
  const body = JSON.stringify({ schema: 'lineagelens.notes/1', bindings: [...byId.values()] });
  await gitText(repoDir, ['notes', `--ref=${NOTES_REF}`, 'add', '-f', '-F', '-', commit], { input: body });
  return byId.size;
}

async function readNote(repoDir: string, commit: string): Promise<Binding[]> {
  try {
    return parseNote(await gitText(repoDir, ['notes', `--ref=${NOTES_REF}`, 'show', commit]), () => undefined);
  } catch {
    return []; // no note yet
  }
}

export function parseNote(text: string, onProblem: (message: string) => void): Binding[] {
  let payload;
  try {
    payload = NotePayload.parse(JSON.parse(text));
  } catch {
    onProblem('a note is not a LineageLens notes payload');
    return [];
  }
  const bindings: Binding[] = [];
  for (const raw of payload.bindings) {
    const parsed = Binding.safeParse(raw);
    if (parsed.success) bindings.push(parsed.data);
    else onProblem(`a binding in a note is invalid: ${formatIssues(parsed.error)}`);
  }
  return bindings;
}

/** Every binding in the notes ref (teammates' included) that the ledger does not hold yet, appended. */
export async function importNotes(repoDir: string, ledger: GitLedger, onProblem: (message: string) => void = () => undefined): Promise<{ notes: number; added: number }> {
  let list: string;
  try {
    list = await gitText(repoDir, ['notes', `--ref=${NOTES_REF}`, 'list']);
  } catch {
    return { notes: 0, added: 0 };
  }
  const entries = list.split('\n').map((l) => l.trim().split(' ')).filter((p) => p.length === 2);
  const blobs = await catFiles(repoDir, entries.map(([blob]) => blob!));
  const view = new LedgerView(ledger.readAll());
  const fresh: Binding[] = [];
  blobs.forEach((blob, i) => {
    if (!blob) return;
    for (const b of parseNote(blob.toString('utf8'), onProblem)) {
      // A note is attached to a commit: a binding inside it must be about that commit.
      if (b.commit !== entries[i]![1] || view.has(b.id)) continue;
      view.add(b);
      fresh.push(b);
    }
  });
  await ledger.append(fresh);
  return { notes: entries.length, added: fresh.length };
}

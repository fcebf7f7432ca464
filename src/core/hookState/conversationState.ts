/**
 * What hook processes remember about a conversation between invocations: each hook runs as a separate
 * process per event, but an edit needs the prompt that came before it, and a session record needs the
 * totals of every earlier edit. One small JSON file per conversation under `<home>/hook-state/`, named by
 * a hash of tool and conversation id (ids are the agent's: never trusted as file names), written
 * atomically, and guarded by a lock file while a process reads, records and writes it.
 *
 * Prompts are kept as Content already restricted to the privacy level (a prompt under `off` is never on
 * disk, under `hash` only its hash), so the state file reveals no more than the store.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../config/atomicWrite';
import { sha256Hex } from '../model/content';
import { Model, Prompt } from '../model/schema';
import { JournalLock, type LockLease } from '../store/journal/journalLock';
import { MAX_SESSION_PROMPTS, SessionTally } from './sessionTally';

export const HOOK_STATE_DIR = 'hook-state';
/** Edit ids remembered per conversation, so an event delivered twice is not counted twice. */
const MAX_COUNTED_EDITS = 500;
/** Conversation state untouched for this long is deleted (the conversation is over). */
export const STATE_MAX_AGE_MS = 30 * 24 * 3_600_000;

export const ConversationState = z.object({
  version: z.literal(1),
  tool: z.string().min(1).max(100),
  /** The root conversation (a subagent's edits count towards its parent's session). */
  conversationId: z.string().min(1).max(200),
  /** The latest model the tool named for this conversation. */
  model: Model.optional(),
  /** The conversation's prompts, latest last, restricted to the privacy level. */
  prompts: z.array(Prompt).max(MAX_SESSION_PROMPTS),
  session: SessionTally.optional(),
  countedEdits: z.array(z.string().max(200)).max(MAX_COUNTED_EDITS),
});
export type ConversationState = z.infer<typeof ConversationState>;

export function hookStateDir(home: string): string {
  return path.join(home, HOOK_STATE_DIR);
}

export function conversationKey(tool: string, conversationId: string): string {
  return sha256Hex(`${tool}\u0000${conversationId}`).slice(0, 40);
}

export function emptyConversationState(tool: string, conversationId: string): ConversationState {
  return { version: 1, tool, conversationId: conversationId.slice(0, 200), prompts: [], countedEdits: [] };
}

export interface LoadedState {
  state: ConversationState;
  /** Why an existing file was not used (it is then started afresh). */
  problem?: string;
}

export class ConversationStateFile {
  readonly file: string;
  private readonly lock: JournalLock;

  constructor(
    home: string,
    readonly tool: string,
    readonly conversationId: string,
  ) {
    const key = conversationKey(tool, conversationId);
    this.file = path.join(hookStateDir(home), `${key}.json`);
    // Held for one hook invocation (milliseconds); a crashed holder is detected by its pid.
    this.lock = new JournalLock(path.join(hookStateDir(home), `${key}.lock`), { timeoutMs: 3_000, staleMs: 15_000 });
  }

  /** Waits for other hook processes of this conversation; the caller releases the lease when done. */
  async acquire(): Promise<LockLease> {
    return this.lock.acquire();
  }

  load(): LoadedState {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const state = emptyConversationState(this.tool, this.conversationId);
      return code === 'ENOENT' ? { state } : { state, problem: `cannot read the conversation state (${code ?? 'error'}): started afresh` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { state: emptyConversationState(this.tool, this.conversationId), problem: 'the conversation state is not valid JSON: started afresh' };
    }
    const parsed = ConversationState.safeParse(json);
    if (!parsed.success || parsed.data.tool !== this.tool || parsed.data.conversationId !== this.conversationId.slice(0, 200)) {
      return { state: emptyConversationState(this.tool, this.conversationId), problem: 'the conversation state has an unexpected shape: started afresh' };
    }
    return { state: parsed.data };
  }

  save(state: ConversationState): void {
    writeFileAtomicSync(this.file, JSON.stringify(state));
  }
}

/** The state with an edit id remembered; false when it had been counted already. */
export function rememberEdit(state: ConversationState, editId: string): boolean {
  if (state.countedEdits.includes(editId)) return false;
  state.countedEdits.push(editId);
  if (state.countedEdits.length > MAX_COUNTED_EDITS) state.countedEdits.splice(0, state.countedEdits.length - MAX_COUNTED_EDITS);
  return true;
}

/** Deletes state files of conversations untouched for `maxAgeMs`. Returns how many were removed. */
export function pruneConversationStates(home: string, now: number = Date.now(), maxAgeMs: number = STATE_MAX_AGE_MS): number {
  const dir = hookStateDir(home);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.json') && !name.endsWith('.tmp')) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > maxAgeMs) {
        rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // Gone meanwhile (another process pruned it): nothing to do.
    }
  }
  return removed;
}

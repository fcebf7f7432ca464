/**
 * `lineagelens hook <tool> [--home DIR]`: run by an AI coding tool's hook with one JSON payload on stdin.
 * It records what the payload says and exits 0 whatever happens, printing nothing the agent would take as
 * an answer (Cursor's beforeSubmitPrompt gets its documented "go ahead"): a provenance recorder must never
 * block, slow down or confuse the agent. What happened goes to `<home>/logs/hooks.log`, one line per run.
 */
import { CONNECTOR_TOOLS, type ConnectorTool, type HookParseResult, isConnectorTool } from '../../core/connectors/types';
import { announcedEdit, announceEdit } from '../../core/hookState/inflightEdits';
import { resolveStoreHome } from '../../core/store/storeHome';
import { type HookLogEntry, writeHookLog } from './hookLog';
import { type HookStdin, readHookStdin } from './hookStdin';

/**
 * Tools whose post-edit payloads may name files without the change (Copilot's editFiles, Windsurf's
 * post_write_code without edits): their pre-edit events copy the files. Other tools' pre-edit events
 * need nothing, so those processes exit before loading the recorder, the privacy rules or the store.
 */
const SNAPSHOT_TOOLS: ReadonlySet<ConnectorTool> = new Set(['copilot', 'windsurf']);

/**
 * Pre-edit events of tools whose post-edit payloads carry the change: nothing to do, answered before the
 * parsers load (the agent waits for them before every edit).
 */
const NOTHING_TO_DO: Partial<Record<ConnectorTool, string>> = { 'claude-code': 'PreToolUse', codex: 'PreToolUse', cursor: 'preToolUse' };

export async function runHook(args: string[]): Promise<number> {
  const entry: HookLogEntry = { tool: args[0] ?? '-', outcome: 'ignored', edits: 0, prompts: 0, skipped: 0, durationMs: 0, messages: [] };
  let home: string | undefined;
  try {
    const parsed = parseHookArgs(args);
    home = parsed.home;
    entry.messages.push(...parsed.notes);
    if (!parsed.tool) {
      process.stderr.write(`lineagelens hook: ${parsed.notes.join('; ')}\n`);
      return 0;
    }
    const input = await readHookStdin();
    const answer = await handleHookPayload(parsed.tool, input, parsed.home, entry);
    if (answer) process.stdout.write(answer);
  } catch (err) {
    entry.outcome = 'failed';
    entry.messages.push(`${(err as Error).name}: ${(err as Error).message}`);
  } finally {
    entry.durationMs = performance.now();
    try {
      writeHookLog(home ?? resolveStoreHome(), entry);
    } catch {
      // Even an unusable home must not fail the agent.
    }
  }
  return 0;
}

/**
 * What one hook payload does, wherever it comes from (stdin, or the spool the launcher fills): records it
 * and fills in the log entry. Returns what the agent expects on stdout (usually nothing). Throws on
 * internal errors; the callers log them and exit 0.
 */
export async function handleHookPayload(tool: ConnectorTool, input: HookStdin, home: string, entry: HookLogEntry): Promise<string> {
  let answer = '';
  if (input.kind === 'terminal') entry.messages.push('no payload: stdin is a terminal, not an agent');
  else if (input.kind === 'too_large') entry.messages.push(`payload too large, ${input.bytes} bytes, not recorded`);
  else if (input.kind === 'binary') entry.messages.push(`payload is binary (NUL bytes), ${input.bytes} bytes, not recorded`);
  else if (isPreEditFastPath(tool, input.text)) {
    entry.event = NOTHING_TO_DO[tool];
    entry.outcome = announceIfEdit(tool, input.text, home) ? 'announced' : 'nothing_to_record';
  } else {
    // Loaded in this order: zod must be configured before the parsers build their schemas.
    await import('./hookZodConfig');
    const { parseHookInput } = await import('../../core/connectors/hooks/hookInput');
    const payload = parseHookInput(tool, input.text);
    entry.event = payload.context.hookEventName;
    entry.messages.push(...payload.warnings);
    entry.outcome = payload.events.length === 0 && payload.warnings.length > 0 ? 'ignored' : 'nothing_to_record';
    if (needsRecording(tool, payload)) {
      const [{ loadUserConfig }, { recordHookEvents }] = await Promise.all([import('../../core/config/userConfig'), import('./hookRecorder')]);
      const config = loadUserConfig(home);
      entry.messages.push(...config.problems);
      const result = await recordHookEvents(tool, payload, { home, privacy: config.privacy });
      Object.assign(entry, { outcome: result.outcome, edits: result.edits, prompts: result.prompts, skipped: result.skipped });
      entry.messages.push(...result.messages);
    }
    if (tool === 'cursor' && entry.event === 'beforeSubmitPrompt') answer = '{"continue":true}\n';
  }
  return answer;
}

/**
 * Tells a running editor that this agent is about to write these files, so that it joins the change it
 * will see with the report that follows (see core/hookState/inflightEdits). Costs one small file.
 */
function announceIfEdit(tool: ConnectorTool, text: string, home: string): boolean {
  const announced = announcedEdit(tool, JSON.parse(text));
  if (!announced) return false;
  announceEdit(home, announced);
  return true;
}

function isPreEditFastPath(tool: ConnectorTool, text: string): boolean {
  const event = NOTHING_TO_DO[tool];
  if (event === undefined) return false;
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    return typeof value === 'object' && value !== null && value.hook_event_name === event;
  } catch {
    return false;
  }
}

function needsRecording(tool: ConnectorTool, payload: HookParseResult): boolean {
  return payload.events.some((e) => e.kind !== 'pre_edit') || (payload.events.length > 0 && SNAPSHOT_TOOLS.has(tool));
}

interface HookArgs {
  tool?: ConnectorTool;
  home: string;
  /** Unknown options are noted but do not stop recording: a newer hook configuration may pass more. */
  notes: string[];
}

function parseHookArgs(args: readonly string[]): HookArgs {
  let tool: string | undefined;
  let homeSetting: string | undefined;
  const notes: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--home') homeSetting = args[++i];
    else if (arg.startsWith('--home=')) homeSetting = arg.slice('--home='.length);
    else if (arg.startsWith('--')) notes.push(`unknown option ${arg.slice(0, 40)}`);
    else if (tool === undefined) tool = arg;
    else notes.push(`unexpected argument ${arg.slice(0, 40)}`);
  }
  const home = homeSetting ? resolveStoreHome({ setting: homeSetting }) : resolveStoreHome();
  if (!tool || !isConnectorTool(tool)) {
    notes.push(`usage: lineagelens hook <${CONNECTOR_TOOLS.join('|')}> [--home DIR]${tool ? ` (unknown tool "${tool.slice(0, 40)}")` : ''}`);
    return { home, notes };
  }
  return { tool, home, notes };
}

/**
 * What LineageLens installs in each tool's hook configuration, and how to recognise it again.
 *
 * Two shapes: "grouped" (Claude Code, Codex): `hooks.<Event>[] = {matcher?, hooks: [{type: "command",
 * command}]}`; "flat" (Cursor, Windsurf, VS Code/Copilot): `hooks.<event>[] = {command, ...}`.
 * Our entries are recognised by their command, which must contain `lineagelens … hook <tool>`: uninstall
 * removes exactly those, and nothing else.
 */
import type { ConnectorTool } from '../connectors/types';

export interface HookSpec {
  tool: ConnectorTool;
  shape: 'grouped' | 'flat';
  /** The events we subscribe to, with the tool matcher for grouped shapes. */
  events: readonly { name: string; matcher?: string }[];
  /** Our entry for one event (for grouped shapes: the whole matcher group). */
  entry(command: string, event: { name: string; matcher?: string }): Record<string, unknown>;
  /** Top-level members a new file starts with, besides `hooks`. */
  newFileMembers?: Record<string, unknown>;
}

const CLAUDE_EDIT_MATCHER = 'Edit|MultiEdit|Write|NotebookEdit';
const CODEX_EDIT_MATCHER = 'apply_patch|Edit|Write';

const grouped = (command: string, event: { matcher?: string }) => ({
  ...(event.matcher ? { matcher: event.matcher } : {}),
  hooks: [{ type: 'command', command }],
});

export const HOOK_SPECS: Readonly<Record<ConnectorTool, HookSpec>> = {
  'claude-code': {
    tool: 'claude-code',
    shape: 'grouped',
    events: [{ name: 'UserPromptSubmit' }, { name: 'PreToolUse', matcher: CLAUDE_EDIT_MATCHER }, { name: 'PostToolUse', matcher: CLAUDE_EDIT_MATCHER }],
    entry: grouped,
  },
  codex: {
    tool: 'codex',
    shape: 'grouped',
    events: [{ name: 'UserPromptSubmit' }, { name: 'PreToolUse', matcher: CODEX_EDIT_MATCHER }, { name: 'PostToolUse', matcher: CODEX_EDIT_MATCHER }],
    entry: grouped,
  },
  cursor: {
    tool: 'cursor',
    shape: 'flat',
    // afterFileEdit, not postToolUse: both report the same agent edit, and one is enough.
    events: [{ name: 'beforeSubmitPrompt' }, { name: 'afterFileEdit' }, { name: 'afterTabFileEdit' }],
    entry: (command) => ({ command }),
    newFileMembers: { version: 1 },
  },
  windsurf: {
    tool: 'windsurf',
    shape: 'flat',
    events: [{ name: 'pre_user_prompt' }, { name: 'pre_write_code' }, { name: 'post_write_code' }],
    entry: (command) => ({ command, show_output: false }),
  },
  copilot: {
    tool: 'copilot',
    shape: 'flat',
    events: [{ name: 'UserPromptSubmit' }, { name: 'PreToolUse' }, { name: 'PostToolUse' }],
    entry: (command) => ({ type: 'command', command }),
  },
};

/** Whether a hook command is the one LineageLens installs for `tool`. */
export function isOurCommand(tool: ConnectorTool, command: string): boolean {
  const escaped = tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`lineagelens\\S*["']?\\s+hook\\s+${escaped}(["'\\s]|$)`, 'i').test(command);
}

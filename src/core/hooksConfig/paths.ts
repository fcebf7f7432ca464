/**
 * Where each tool reads its hook configuration. Pure: the caller passes the home directory and the
 * repository root. `alsoReadFrom` lists other files the tool reads (installing into one is enough).
 */
import * as path from 'node:path';
import type { ConnectorTool } from '../connectors/types';

export type HooksScope = 'user' | 'project';

export interface HooksConfigLocation {
  path: string;
  alsoReadFrom: string[];
  /** What else the user must know for the hooks to run. */
  notes: string[];
}

/** The file name LineageLens uses where a tool reads every JSON file of a folder (VS Code's hook folders). */
export const COPILOT_HOOKS_FILE = 'lineagelens.json';

export function hooksConfigLocation(tool: ConnectorTool, scope: HooksScope, dirs: { home: string; repoRoot?: string }): HooksConfigLocation {
  const base = scope === 'user' ? dirs.home : dirs.repoRoot;
  if (!base) throw new Error(`a project-scope hook configuration needs the repository root`);
  const j = (...parts: string[]) => path.join(base, ...parts);
  switch (tool) {
    case 'claude-code':
      return { path: j('.claude', 'settings.json'), alsoReadFrom: scope === 'project' ? [j('.claude', 'settings.local.json')] : [], notes: [] };
    case 'cursor':
      return { path: j('.cursor', 'hooks.json'), alsoReadFrom: [], notes: scope === 'project' ? ['project hooks run only in trusted workspaces'] : [] };
    case 'codex':
      return {
        path: j('.codex', 'hooks.json'),
        alsoReadFrom: [j('.codex', 'config.toml')],
        notes: ['Codex runs non-managed hooks only after the user reviews and trusts them (and with [features] hooks enabled in config.toml)'],
      };
    case 'windsurf':
      return scope === 'user'
        ? { path: j('.codeium', 'windsurf', 'hooks.json'), alsoReadFrom: [j('.codeium', 'hooks.json')], notes: ['~/.codeium/hooks.json is read by the JetBrains plugin'] }
        : { path: j('.windsurf', 'hooks.json'), alsoReadFrom: [], notes: [] };
    case 'copilot':
      return {
        path: scope === 'user' ? j('.copilot', 'hooks', COPILOT_HOOKS_FILE) : j('.github', 'hooks', COPILOT_HOOKS_FILE),
        alsoReadFrom: [],
        notes: ['VS Code runs agent hooks when chat.useHooks is on (Preview, VS Code 1.109+); an organisation policy can turn hooks off'],
      };
  }
}

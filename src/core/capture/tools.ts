/**
 * Which AI tool an editor-side capture belongs to: from the host application (Cursor, Windsurf are
 * forks whose own completions have no extension id) and the installed, active inline-completion
 * extensions. Order matters: the first active one wins when several are installed.
 */
import type { Tool } from '../model/schema';

export interface KnownAiExtension {
  extensionId: string;
  tool: string;
}

/** Extension ids compared case-insensitively (VS Code ids are case-insensitive). */
export const KNOWN_AI_EXTENSIONS: readonly KnownAiExtension[] = [
  { extensionId: 'github.copilot', tool: 'copilot' },
  { extensionId: 'github.copilot-chat', tool: 'copilot' },
  { extensionId: 'codeium.codeium', tool: 'windsurf' },
  { extensionId: 'codeium.windsurfpyright', tool: 'windsurf' },
  { extensionId: 'continue.continue', tool: 'continue' },
  { extensionId: 'supermaven.supermaven', tool: 'supermaven' },
  { extensionId: 'tabnine.tabnine-vscode', tool: 'tabnine' },
  { extensionId: 'amazonwebservices.amazon-q-vscode', tool: 'amazon-q' },
  { extensionId: 'sourcegraph.cody-ai', tool: 'cody' },
  { extensionId: 'saoudrizwan.claude-dev', tool: 'cline' },
  { extensionId: 'rooveterinaryinc.roo-cline', tool: 'roo' },
  { extensionId: 'anthropic.claude-code', tool: 'claude-code' },
  { extensionId: 'openai.chatgpt', tool: 'codex' },
  { extensionId: 'google.geminicodeassist', tool: 'gemini' },
];

const HOST_TOOLS: readonly { pattern: RegExp; tool: string }[] = [
  { pattern: /cursor/i, tool: 'cursor' },
  { pattern: /windsurf/i, tool: 'windsurf' },
  { pattern: /trae/i, tool: 'trae' },
];

export interface ToolContext {
  /** vscode.env.appName */
  appName: string;
  /** Active extensions: id and version. */
  activeExtensions: readonly { id: string; version?: string }[];
}

/**
 * The tool most likely to have produced an inline completion. Returns the host (Cursor, Windsurf) when
 * the host itself ships completions and no known extension is active; 'unknown-inline-provider' when
 * nothing known is active (then the record's confidence says so).
 */
export function inlineCompletionTool(ctx: ToolContext): { tool: Tool; known: boolean } {
  for (const known of KNOWN_AI_EXTENSIONS) {
    const ext = ctx.activeExtensions.find((e) => e.id.toLowerCase() === known.extensionId);
    if (ext) return { tool: { name: known.tool, extensionId: ext.id, ...(ext.version ? { version: ext.version } : {}) }, known: true };
  }
  for (const host of HOST_TOOLS) {
    if (host.pattern.test(ctx.appName)) return { tool: { name: host.tool }, known: true };
  }
  return { tool: { name: 'unknown-inline-provider' }, known: false };
}

import * as vscode from 'vscode';
import { z } from 'zod';
import type { ChangeClassifier } from '../../core/capture/classifier';
import { inlineCompletionTool } from '../../core/capture/tools';
import type { Log } from '../log';

/**
 * While VS Code's chat editing (Copilot Edits / agent mode) is changing a file, it opens documents with
 * these schemes; their path is the file's path and their query carries the chat session id. Seeing one
 * means: the changes to that file that follow are the agent's (keystrokes excepted), until it closes.
 */
export const CHAT_EDITING_SCHEMES = ['chat-editing-text-model', 'chat-editing-snapshot-text-model'] as const;

/**
 * How long one sighting of a chat-editing document vouches for the file's changes. VS Code opens these
 * documents as a request starts editing a file and at each undo stop, so a short window, re-armed at every
 * sighting, covers the agent's edits while leaving the person's later edits (a format, a snippet) alone.
 */
const CHAT_CLAIM_MS = 30_000;

const ChatEditingQuery = z
  .object({ chatSessionId: z.string().min(1).optional(), sessionId: z.string().min(1).optional() })
  .loose();

export function chatSessionIdFromQuery(query: string): string | undefined {
  try {
    const parsed = ChatEditingQuery.safeParse(JSON.parse(query));
    if (!parsed.success) return undefined;
    return parsed.data.chatSessionId ?? parsed.data.sessionId;
  } catch {
    return undefined;
  }
}

export class ChatEditingWatcher implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly classifier: ChangeClassifier,
    private readonly log: Log,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.onOpen(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
    ];
    for (const d of vscode.workspace.textDocuments) this.onOpen(d);
  }

  private fileUriFor(doc: vscode.TextDocument): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.find((f) => doc.uri.path.startsWith(f.uri.path.endsWith('/') ? f.uri.path : `${f.uri.path}/`));
    return folder ? folder.uri.with({ path: doc.uri.path, query: '', fragment: '' }) : undefined;
  }

  private onOpen(doc: vscode.TextDocument): void {
    if (!(CHAT_EDITING_SCHEMES as readonly string[]).includes(doc.uri.scheme)) return;
    const file = this.fileUriFor(doc);
    if (!file) return;
    const sessionId = chatSessionIdFromQuery(doc.uri.query);
    const target = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
    const now = Date.now();
    // VS Code's chat editing is driven by the active chat extension (Copilot Chat), or by the host itself
    // (Cursor, Windsurf); otherwise the provider is not known and the record says so.
    const found = inlineCompletionTool({
      appName: vscode.env.appName,
      activeExtensions: vscode.extensions.all.filter((e) => e.isActive && /copilot/i.test(e.id)).map((e) => ({ id: e.id })),
    });
    const tool = found.known ? found.tool : { name: 'vscode-chat' };
    this.classifier.claim({
      uri: file.toString(),
      versionBefore: target?.version ?? 0,
      time: now,
      expiresAt: now + CHAT_CLAIM_MS,
      maxEvents: Number.POSITIVE_INFINITY,
      skipKeystrokes: true,
      method: 'editor_scheme',
      confidence: 0.9,
      tool,
      detail: doc.uri.scheme,
      ...(sessionId ? { conversationId: sessionId } : {}),
    });
    this.log.debug(`chat editing session ${sessionId ? 'with id' : 'without id'} is editing a file`);
  }

  private onClose(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== CHAT_EDITING_SCHEMES[0]) return;
    const file = this.fileUriFor(doc);
    if (file) this.classifier.endClaims(file.toString(), 'editor_scheme');
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiEditSession, EditEvent } from '../../core/model/schema';
import { lineSpan } from '../../core/model/agentTrace';
import type { RecordLookup } from '../provenance/recordLookup';

type Node =
  | { kind: 'session'; session: AiEditSession }
  | { kind: 'file'; session: AiEditSession; file: string }
  | { kind: 'edit'; edit: EditEvent };

const SESSIONS_SHOWN = 200;

/**
 * The "AI Edit Sessions" view: sessions (newest first) -> files -> edits; selecting an edit opens its
 * file at the lines it inserted. Refreshed (debounced by the caller) when new records are written.
 */
export class SessionsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  private readonly view: vscode.TreeView<Node>;
  private sessions: AiEditSession[] = [];

  constructor(
    private readonly records: RecordLookup,
    private readonly workspaceRootFor: (edit: EditEvent) => vscode.Uri | undefined,
  ) {
    this.view = vscode.window.createTreeView('lineagelens.sessions', { treeDataProvider: this, showCollapseAll: true });
  }

  get onDidChangeTreeData(): vscode.Event<Node | undefined> {
    return this.emitter.event;
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Shows a session in the view (from a hover link). */
  async reveal(sessionId: string): Promise<void> {
    await this.getChildren();
    const session = this.sessions.find((s) => s.id === sessionId);
    if (session) await this.view.reveal({ kind: 'session', session }, { select: true, focus: true, expand: true });
  }

  /** Session ids currently listed (for tests). */
  async listedSessionIds(): Promise<string[]> {
    await this.getChildren();
    return this.sessions.map((s) => s.id);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      this.sessions = await this.records.recentSessions(SESSIONS_SHOWN);
      return this.sessions.map((session) => ({ kind: 'session', session }));
    }
    if (node.kind === 'session') return node.session.files.map((file) => ({ kind: 'file', session: node.session, file }));
    if (node.kind === 'file') {
      const edits = await this.records.sessionEdits(node.session.id);
      return edits.filter((e) => e.file.path === node.file).map((edit) => ({ kind: 'edit', edit }));
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'file') return { kind: 'session', session: node.session };
    return undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'session': {
        const s = node.session;
        const model = s.model === 'unknown' ? 'unknown model' : s.model.id;
        const item = new vscode.TreeItem(`${s.tool.name} · ${model}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `session:${s.id}`;
        item.description = `${new Date(s.endedAt).toLocaleString()} · +${s.counts.linesKept}${s.counts.linesRejected ? ` −${s.counts.linesRejected} rejected` : ''}`;
        item.tooltip = `${s.files.length} file(s), ${s.counts.linesAdded} lines added, ${s.counts.linesKept} kept, ${s.counts.linesRejected} rejected`;
        item.iconPath = new vscode.ThemeIcon('sparkle');
        item.contextValue = 'session';
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(path.posix.basename(node.file), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `file:${node.session.id}:${node.file}`;
        item.description = path.posix.dirname(node.file) === '.' ? '' : path.posix.dirname(node.file);
        item.iconPath = vscode.ThemeIcon.File;
        return item;
      }
      case 'edit': {
        const e = node.edit;
        const span = lineSpan(e.rangeAfter);
        const item = new vscode.TreeItem(span ? `lines ${span.start}–${span.end}` : 'empty insertion', vscode.TreeItemCollapsibleState.None);
        item.id = `edit:${e.id}`;
        item.description = `${e.disposition.replace('_', ' ')} · ${e.capture.method}`;
        const root = this.workspaceRootFor(e);
        if (root) {
          const uri = vscode.Uri.joinPath(root, ...e.file.path.split('/'));
          const r = e.rangeAfter;
          item.command = {
            command: 'vscode.open',
            title: 'Reveal',
            arguments: [uri, { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) }],
          };
        }
        item.iconPath = new vscode.ThemeIcon(e.disposition === 'rejected' ? 'close' : 'pass');
        return item;
      }
    }
  }

  dispose(): void {
    this.view.dispose();
    this.emitter.dispose();
  }
}

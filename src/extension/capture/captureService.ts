import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ObservedChange } from '../../core/capture/classifier';
import { type AgentEditSource, CapturePipeline, type FileFacts } from '../../core/capture/pipeline';
import { RepoInfoCache } from '../../core/git/repoInfo';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { Log } from '../log';
import type { ChangeRecorder, RecordedChange } from './changeRecorder';

export interface ClassifiedChange {
  change: ObservedChange;
  aiRecordIds: readonly string[] | undefined;
  /** Per content change, the record it is attributed to (when capture said which). */
  aiByChange: readonly (string | undefined)[] | undefined;
  reload: boolean;
}

/** Schemes of documents whose changes we attribute: files on disk (local or in a remote workspace). */
const RECORDED_SCHEMES = new Set(['file', 'vscode-remote', 'vscode-userdata']);

/**
 * The editor side of capture: turns the recorder's batches into plain observed changes and hands them to
 * the core pipeline, which classifies, builds records and writes them. Runs entirely off the hot path.
 */
export class CaptureService implements vscode.Disposable {
  readonly pipeline: CapturePipeline;
  private readonly classified = new vscode.EventEmitter<ClassifiedChange>();
  private readonly repos = new RepoInfoCache();
  private readonly subscription: vscode.Disposable;
  private readonly osUser = safeOsUser();

  constructor(
    changes: ChangeRecorder,
    write: (records: ProvenanceRecord[]) => Promise<void>,
    private readonly log: Log,
    agentEdits?: AgentEditSource,
  ) {
    const config = vscode.workspace.getConfiguration('lineagelens.capture');
    this.pipeline = new CapturePipeline({
      idleGapMs: Math.max(0.1, config.get<number>('idleGapMinutes', 5)) * 60_000,
      undoWindowMs: Math.max(1, config.get<number>('undoWindowSeconds', 30)) * 1_000,
      ...(agentEdits ? { agentEdits, agentJoinWaitMs: Math.min(60, Math.max(0, config.get<number>('agentJoinSeconds', 4))) * 1_000 } : {}),
      resolveFile: (uri) => this.resolveFile(uri),
      write,
      isReload: (change) => this.isReload(change),
      onClassified: (change, ai, reload) => this.classified.fire({ change, aiRecordIds: ai?.recordIds, aiByChange: ai?.byChange, reload: reload ?? false }),
      log: (level, message) => this.log[level](message),
    });
    this.subscription = changes.onDidRecord((batch) => void this.pipeline.process(batch.map(toObserved)));
  }

  /** Every change, in order, once classified (AI ones with the ids of their records). */
  get onDidClassify(): vscode.Event<ClassifiedChange> {
    return this.classified.event;
  }

  private async isReload(change: ObservedChange): Promise<boolean> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === change.uri);
    if (!doc || doc.version !== change.version) return false; // edited since: cannot vouch it was a reload
    const onDisk = new TextDecoder('utf-8', { fatal: false }).decode(await vscode.workspace.fs.readFile(doc.uri));
    return doc.version === change.version && onDisk === doc.getText();
  }

  /** Where a document lives (repository identity and relative path), as records name it. */
  fileOf(uriText: string): Promise<FileFacts | undefined> {
    return this.resolveFile(uriText);
  }

  private async resolveFile(uriText: string): Promise<FileFacts | undefined> {
    const uri = vscode.Uri.parse(uriText);
    if (!RECORDED_SCHEMES.has(uri.scheme)) return undefined;
    const fsPath = uri.fsPath;
    const repo = await this.repos.forFile(fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const root = repo?.root ?? folder?.uri.fsPath;
    if (!root) return undefined; // a file outside every workspace folder and repository: nothing to anchor it to
    const relative = path.relative(root, fsPath).split(path.sep).join('/');
    if (relative === '' || relative.startsWith('..')) return undefined;
    return {
      file: {
        path: relative,
        repo: repo?.identity ?? null,
        ...(repo?.branch ? { branch: repo.branch } : {}),
        ...(repo?.commit ? { commit: repo.commit } : {}),
      },
      acceptor: {
        osUser: this.osUser,
        ...(repo?.user.name ? { gitName: repo.user.name } : {}),
        ...(repo?.user.email ? { gitEmail: repo.user.email } : {}),
      },
    };
  }

  dispose(): void {
    this.subscription.dispose();
    this.classified.dispose();
  }
}

function toObserved(rc: RecordedChange): ObservedChange {
  return {
    uri: rc.uri,
    version: rc.version,
    time: rc.time,
    cleanAfter: rc.cleanAfter,
    reason: rc.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : rc.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined,
    changes: rc.changes.map((c) => ({
      offset: c.rangeOffset,
      length: c.rangeLength,
      text: c.text,
      range: {
        start: { line: c.range.start.line, character: c.range.start.character },
        end: { line: c.range.end.line, character: c.range.end.character },
      },
    })),
  };
}

function safeOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

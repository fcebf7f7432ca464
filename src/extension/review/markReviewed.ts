import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { GitLedger } from '../../core/git/gitLedger';
import type { ReviewMark, ReviewTarget } from '../../core/git/gitRecords';
import { RepoInfoCache } from '../../core/git/repoInfo';
import { currentReviewer, reviewMark } from '../../core/git/reviewMarks';
import type { DocumentTracking } from '../provenance/documentTracking';
import type { Log } from '../log';

/**
 * "LineageLens: Mark Reviewed": a local review mark, the same record `lineagelens review` writes, in the
 * git ledger, by the git identity of the repository (and the OS user). Targets: the AI edits under the
 * cursor or selection of the active editor, or a session (the sessions view's context menu passes its
 * node; other callers pass `{ sessionId }` or `{ editIds }`).
 */
const Args = z.union([
  z.object({ kind: z.literal('session'), session: z.object({ id: z.string().min(1).max(200) }).passthrough() }).passthrough(),
  z.object({ sessionId: z.string().min(1).max(200), changesRequested: z.boolean().optional(), note: z.string().max(2000).optional() }),
  z.object({ editIds: z.array(z.string().min(1).max(200)).min(1).max(10_000), changesRequested: z.boolean().optional(), note: z.string().max(2000).optional() }),
]);

export interface MarkReviewedDeps {
  tracking: DocumentTracking;
  home: () => string;
  log: Log;
}

export async function markReviewed(deps: MarkReviewedDeps, raw: unknown): Promise<ReviewMark[]> {
  let targets: ReviewTarget[];
  let anchor: string | undefined;
  let status: ReviewMark['status'] = 'reviewed';
  let note: string | undefined;
  // The editor's context menu passes the document's URI: that is the editor case too.
  if (raw === undefined || raw instanceof vscode.Uri) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('LineageLens: open a file with AI lines, or pick a session in the AI Edit Sessions view.');
      return [];
    }
    const ids = new Set<string>();
    for (const s of editor.selections) {
      for (const l of deps.tracking.aiLines(editor.document, s.start.line, s.end.line + 1)) ids.add(l.recordId);
    }
    if (ids.size === 0) {
      void vscode.window.showInformationMessage('LineageLens: no AI edit under the cursor or selection.');
      return [];
    }
    targets = [...ids].map((editId) => ({ editId }));
    if (editor.document.uri.scheme === 'file') anchor = editor.document.uri.fsPath;
  } else {
    const parsed = Args.safeParse(raw);
    if (!parsed.success) throw new Error('LineageLens: Mark Reviewed: expected a session of the AI Edit Sessions view, { sessionId } or { editIds }');
    const a = parsed.data;
    if ('kind' in a) targets = [{ sessionId: a.session.id }];
    else {
      targets = 'sessionId' in a ? [{ sessionId: a.sessionId }] : a.editIds.map((editId) => ({ editId }));
      if (a.changesRequested) status = 'changes_requested';
      note = a.note;
    }
  }
  anchor ??= vscode.workspace.workspaceFolders?.[0]?.uri.scheme === 'file' ? path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, '.lineagelens') : undefined;
  const info = anchor ? await new RepoInfoCache().forFile(anchor) : undefined;
  const by = currentReviewer(info?.user ?? {});
  const marks = targets.map((t) => reviewMark(t, status, by, note));
  try {
    await new GitLedger(deps.home()).append(marks);
  } catch (err) {
    deps.log.error('could not record the review mark', err);
    void vscode.window.showErrorMessage(`LineageLens could not record the review: ${(err as Error).message}`);
    throw err;
  }
  const what = 'sessionId' in targets[0]! ? 'session' : `${targets.length} AI edit${targets.length === 1 ? '' : 's'}`;
  void vscode.window.setStatusBarMessage(`LineageLens: ${what} marked ${status === 'reviewed' ? 'reviewed' : 'changes requested'}`, 4_000);
  return marks;
}

import * as vscode from 'vscode';
import type { AiEditSession, EditEvent } from '../../core/model/schema';
import { provenanceMarkdown } from '../../core/present/provenanceMarkdown';
import type { DocumentTracking } from './documentTracking';
import type { RecordLookup } from './recordLookup';
import { reviewLine, type ReviewStatus } from '../review/reviewStatus';

/**
 * "Show Provenance for Line / Selection": a readable report of every AI edit behind the chosen lines,
 * opened as a Markdown preview (full prompts as stored; human lines are listed as such).
 */
export async function showProvenanceReport(tracking: DocumentTracking, records: RecordLookup, whole: 'line' | 'selection', reviews?: ReviewStatus): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('LineageLens: open a file to see where its lines came from.');
    return;
  }
  const doc = editor.document;
  const from = whole === 'line' ? editor.selection.active.line : editor.selection.start.line;
  const to = whole === 'line' ? from : editor.selection.end.line;
  const lines = tracking.aiLines(doc, from, to + 1);
  const name = vscode.workspace.asRelativePath(doc.uri);
  const out: string[] = [`# Provenance of ${name}, line${from === to ? ` ${from + 1}` : `s ${from + 1}–${to + 1}`}`, ''];
  const aiLineCount = lines.length;
  out.push(`${aiLineCount} of ${to - from + 1} line(s) written by AI; the rest by a person (or not recorded).`, '');
  const byRecord = new Map<string, { lines: number[]; modified: boolean }>();
  for (const l of lines) {
    const entry = byRecord.get(l.recordId) ?? { lines: [], modified: false };
    entry.lines.push(l.line + 1);
    entry.modified ||= l.modified;
    byRecord.set(l.recordId, entry);
  }
  for (const [id, { lines: ls, modified }] of byRecord) {
    const record = await records.get(id);
    out.push(`## Line${ls.length > 1 ? 's' : ''} ${ls[0]}${ls.length > 1 ? `–${ls[ls.length - 1]}` : ''}`, '');
    if (!record || record.kind !== 'edit') {
      out.push(`Record ${id} is not in the local store (pruned, or written on another machine).`, '');
      continue;
    }
    const edit: EditEvent = record;
    const session = await records.get(edit.sessionId);
    out.push(provenanceMarkdown(edit, { promptLines: 1_000, modified, ...(session?.kind === 'session' ? { session: session as AiEditSession } : {}) }), '');
    const review = reviews?.of(edit.sessionId, edit.id);
    out.push(review ? reviewLine(review) : 'Not reviewed (LineageLens: Mark Reviewed).', '');
    out.push(`Record \`${edit.id}\` · session \`${edit.sessionId}\` · content SHA-256 \`${edit.contentHash}\``, '');
  }
  const report = await vscode.workspace.openTextDocument({ language: 'markdown', content: out.join('\n') });
  await vscode.commands.executeCommand('markdown.showPreview', report.uri);
}

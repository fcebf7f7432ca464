import * as vscode from 'vscode';
import type { AncestryStep } from '../../core/lineage/lineageQueries';
import type { AiEditSession } from '../../core/model/schema';
import { ancestryMarkdown } from '../../core/present/ancestryMarkdown';
import { provenanceMarkdown } from '../../core/present/provenanceMarkdown';
import type { DocumentTracking } from './documentTracking';
import type { RecordLookup } from './recordLookup';
import { reviewLine, type ReviewStatus } from '../review/reviewStatus';

/**
 * Hover on an AI line: who wrote it, with what, from which prompt, who accepted it and how sure we are.
 * Built lazily, only when the user hovers; nothing is precomputed per decoration.
 */
export function registerProvenanceHover(
  tracking: DocumentTracking,
  records: RecordLookup,
  reviews?: ReviewStatus,
  /** The AI edits behind an edit of this document, oldest first (lineage); null when unknown. */
  ancestry?: (uri: string, editId: string) => Promise<readonly AncestryStep[] | null>,
): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    [{ scheme: 'file' }, { scheme: 'vscode-remote' }],
    {
      async provideHover(document, position) {
        const [line] = tracking.aiLines(document, position.line, position.line + 1);
        if (!line) return undefined;
        const record = await records.get(line.recordId);
        if (!record || record.kind !== 'edit') return undefined;
        const session = (await records.get(record.sessionId)) as AiEditSession | undefined;
        const reveal = `command:lineagelens.revealSession?${encodeURIComponent(JSON.stringify([record.sessionId]))}`;
        const md = new vscode.MarkdownString(
          provenanceMarkdown(record, { ...(session?.kind === 'session' ? { session } : {}), revealSessionCommand: reveal, modified: line.modified }),
        );
        const review = reviews?.of(record.sessionId, record.id);
        if (review) md.appendMarkdown(`\n\n${reviewLine(review)}`);
        const chain = ancestry ? await ancestry(document.uri.toString(), record.id).catch(() => null) : null;
        const lineage = chain ? ancestryMarkdown(chain, line.modified) : null;
        if (lineage) md.appendMarkdown(`\n\n${lineage}`);
        md.isTrusted = { enabledCommands: ['lineagelens.revealSession'] };
        return new vscode.Hover(md, document.lineAt(position.line).range);
      },
    },
  );
}

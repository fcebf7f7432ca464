/**
 * Human-readable provenance of one AI edit, as Markdown: the hover in the editor and the
 * "Show Provenance" report use the same text. Prompts are shown as stored (redaction already applied
 * by the store), first lines only unless asked for all; code is never repeated here.
 */
import type { AiEditSession, Content, EditEvent } from '../model/schema';

const CAPTURE_LABEL: Record<EditEvent['capture']['method'], string> = {
  hook: "the agent's hook",
  transcript: "the agent's transcript",
  keybinding: 'inline completion accepted with the keyboard',
  editor_scheme: 'chat editing session in the editor',
  heuristic: 'heuristic',
  external: 'file changed on disk (not vouched for by an agent)',
};

/** Escapes Markdown so stored text cannot inject links, HTML or commands into a hover. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function promptText(content: Content): string {
  switch (content.form) {
    case 'text':
    case 'redacted':
      return content.text;
    case 'hash':
      return `(prompt kept as a hash only: ${content.sha256.slice(0, 12)}…)`;
    case 'none':
      return '(no prompt kept)';
  }
}

export interface ProvenanceMarkdownOptions {
  /** Lines of the prompt shown; the rest is behind "more". */
  promptLines?: number;
  session?: AiEditSession;
  /** A command URI that reveals the session in the sessions view. */
  revealSessionCommand?: string;
  modified?: boolean;
}

export function provenanceMarkdown(edit: EditEvent, options: ProvenanceMarkdownOptions = {}): string {
  const model = edit.model === 'unknown' ? 'unknown model' : `${edit.model.provider ? `${edit.model.provider}/` : ''}${edit.model.id}`;
  const lines: string[] = [];
  lines.push(`**AI-written** · ${escapeMarkdown(edit.tool.name)}${edit.tool.version ? ` ${escapeMarkdown(edit.tool.version)}` : ''} · ${escapeMarkdown(model)}`);
  lines.push('');
  if (edit.prompt) {
    const all = promptText(edit.prompt.content).split('\n');
    const shown = all.slice(0, options.promptLines ?? 4);
    lines.push(`**Prompt:** ${shown.map(escapeMarkdown).join('  \n')}${all.length > shown.length ? ` … (${all.length - shown.length} more lines)` : ''}`);
  } else {
    lines.push('**Prompt:** not known');
  }
  lines.push('');
  const when = edit.time.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  const who = edit.acceptor ? escapeMarkdown(edit.acceptor.gitName ?? edit.acceptor.osUser) : 'unknown';
  lines.push(`**When:** ${escapeMarkdown(when)} · **Accepted by:** ${who} · **Disposition:** ${edit.disposition.replace('_', ' ')}${options.modified ? ' (changed by a person since)' : ''}`);
  lines.push('');
  lines.push(`**Captured by:** ${CAPTURE_LABEL[edit.capture.method]} · confidence ${Math.round(edit.capture.confidence * 100)}%`);
  lines.push('');
  const sessionLabel = options.session ? `${options.session.counts.linesAdded} lines in ${options.session.files.length} file(s)` : escapeMarkdown(edit.sessionId);
  lines.push(
    `**Session:** ${options.revealSessionCommand ? `[${sessionLabel}](${options.revealSessionCommand})` : sessionLabel}` +
      ` · **Commit:** ${edit.file.commit ? `HEAD was ${edit.file.commit.slice(0, 10)}` : 'not committed yet'}` +
      ` · **Review:** ${edit.review.status.replace('_', ' ')}${edit.review.by ? ` by ${escapeMarkdown(edit.review.by)}` : ''}`,
  );
  return lines.join('\n');
}

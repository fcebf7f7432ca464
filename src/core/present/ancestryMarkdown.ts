/**
 * The hover's "Ancestry" line: the chain of AI edits behind a line, oldest first, then a person's change
 * when the line was edited since (e.g. "copilot gpt-4o → rewritten by claude-code claude-sonnet-4-5 →
 * edited by a person"). Built from a lineage ancestry; only tool and model names, never prompt or code.
 */
import type { AncestryStep } from '../lineage/lineageQueries';
import { escapeMarkdown } from './provenanceMarkdown';

function who(step: AncestryStep): string {
  const a = step.node.attrs;
  if (step.node.kind === 'human') return `edited by ${a.author ? escapeMarkdown(String(a.author)) : 'a person'}`;
  return `${escapeMarkdown(String(a.tool ?? 'unknown tool'))}${a.model ? ` ${escapeMarkdown(String(a.model))}` : ''}`;
}

/** Null when there is nothing beyond the edit the hover already describes. */
export function ancestryMarkdown(chain: readonly AncestryStep[], modifiedSince: boolean): string | null {
  if (chain.length <= 1 && !modifiedSince) return null;
  const parts = chain.map((step, i) => {
    if (i === 0 || step.node.kind === 'human') return who(step);
    const sure = step.via && step.via.confidence < 1 ? ` (${Math.round(step.via.confidence * 100)}% of lines matched)` : '';
    return `rewritten by ${who(step)}${sure}`;
  });
  if (modifiedSince) parts.push('edited by a person since');
  return `**Ancestry:** ${parts.join(' → ')}`;
}

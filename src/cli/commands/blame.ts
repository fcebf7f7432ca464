/**
 * `lineagelens blame <file> [--rev R] [--json] [--porcelain] [--repo DIR] [--home DIR]`: per line, human
 * or AI; for AI lines the tool, model, session, prompt excerpt, commit, disposition, acceptor and review.
 *
 *   default      an annotated listing, then one legend line per AI session (prompt excerpt)
 *   --porcelain  one tab-separated line per source line: line, commit, ai|human, tool, model, session,
 *                edit, disposition, review, acceptor, text (stable, for scripts)
 *   --json       {path, rev, lines: [...], summary}
 */
import { blameFile, type BlameLine } from '../../core/git/blame';
import { aiLineJson, type PromptInfo, promptInfo } from '../../core/git/blameJson';
import { LedgerView } from '../../core/git/gitLedger';
import type { ProvenanceStore } from '../../core/store/provenanceStore';
import { parseStoreArgs } from './storeArgs';
import { withStoreAndLedger } from './gitContext';

const USAGE = 'usage: lineagelens blame <file> [--rev R] [--json] [--porcelain] [--repo DIR] [--home DIR]\n';

export async function runBlame(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--rev', '--repo'], ['--porcelain']);
    if (parsed.positional.length !== 1) throw new Error('expected one file');
  } catch (err) {
    process.stderr.write(`lineagelens blame: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const out = await withStoreAndLedger(parsed.home, async (store, ledger) => {
      const result = await blameFile({ repoDir: parsed.values.get('--repo') ?? process.cwd(), file: parsed.positional[0]!, rev: parsed.values.get('--rev'), ledger: new LedgerView(ledger.readAll()) });
      const prompts = await promptsOf(store, result.lines);
      if (parsed.json) return `${JSON.stringify({ path: result.path, rev: result.rev, lines: result.lines.map((l) => jsonLine(l, prompts)), summary: summary(result.lines) }, null, 2)}\n`;
      if (parsed.flags.has('--porcelain')) return result.lines.map((l) => porcelainLine(l)).join('');
      return listing(result.lines, prompts);
    });
    process.stdout.write(out);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens blame: ${(err as Error).message}\n`);
    return 1;
  }
}

async function promptsOf(store: ProvenanceStore | null, lines: BlameLine[]): Promise<Map<string, PromptInfo>> {
  const ids = [...new Set(lines.flatMap((l) => (l.ai ? [l.ai.binding.edit.id] : [])))];
  const prompts = new Map<string, PromptInfo>();
  if (!store || ids.length === 0) return prompts;
  const records = await store.getRecords(ids);
  records.forEach((r, i) => {
    if (r?.kind !== 'edit') return;
    prompts.set(ids[i]!, promptInfo(r.prompt?.content));
  });
  return prompts;
}

function reviewOf(l: BlameLine): string {
  return l.ai?.review?.status ?? 'unreviewed';
}

function acceptorOf(l: BlameLine): string {
  const a = l.ai?.binding.edit.acceptor;
  if (!a) return '';
  return a.gitEmail ? `${a.gitName ?? a.osUser} <${a.gitEmail}>` : a.gitName ?? a.osUser;
}

function jsonLine(l: BlameLine, prompts: Map<string, PromptInfo>) {
  const base = { line: l.line, commit: l.commit, author: l.author, origPath: l.origPath, origLine: l.origLine };
  if (!l.ai) return { ...base, origin: 'human' };
  return { ...base, ...aiLineJson(l.ai.binding, l.ai.review, prompts.get(l.ai.binding.edit.id)) };
}

function porcelainLine(l: BlameLine): string {
  const e = l.ai?.binding.edit;
  const fields = e
    ? [l.line, l.commit, 'ai', e.tool, e.model, e.sessionId, e.id, e.disposition, reviewOf(l), acceptorOf(l)]
    : [l.line, l.commit, 'human', '', '', '', '', '', '', ''];
  return `${fields.map((f) => String(f).replace(/[\t\n]/g, ' ')).join('\t')}\t${l.text}\n`;
}

function listing(lines: BlameLine[], prompts: Map<string, PromptInfo>): string {
  const width = String(lines.length).length;
  const label = (l: BlameLine) => {
    const e = l.ai?.binding.edit;
    return e ? `AI ${e.tool} ${e.model}${reviewOf(l) === 'unreviewed' ? '' : ` [${reviewOf(l)}]`}` : 'human';
  };
  const labelWidth = Math.max(5, ...lines.map((l) => label(l).length));
  const out = lines.map((l) => `${l.commit.slice(0, 10)} ${label(l).padEnd(labelWidth)} ${String(l.line).padStart(width)}) ${l.text}`);
  const sessions = new Map<string, BlameLine>();
  for (const l of lines) if (l.ai && !sessions.has(l.ai.binding.edit.sessionId)) sessions.set(l.ai.binding.edit.sessionId, l);
  const s = summary(lines);
  out.push('', `${s.ai} AI lines, ${s.human} human lines`);
  for (const [session, l] of sessions) {
    const e = l.ai!.binding.edit;
    const p = prompts.get(e.id);
    const prompt = p?.excerpt ? `"${p.excerpt}"` : p ? `(prompt kept as ${p.form})` : '(prompt not in this store)';
    out.push(`  session ${session}: ${e.tool} ${e.model}, accepted by ${acceptorOf(l) || 'unknown'}, ${e.disposition}; prompt ${prompt}`);
  }
  return `${out.join('\n')}\n`;
}

function summary(lines: BlameLine[]): { ai: number; human: number } {
  const ai = lines.filter((l) => l.ai).length;
  return { ai, human: lines.length - ai };
}

/**
 * `lineagelens enrich <tool> <path...> [--home DIR] [--json]`: reads an agent's session files (Copilot
 * chatSessions, Cursor state.vscdb, any transcript `import` reads), READ-ONLY, and adds what they know to
 * the records the editor made of the same edits: prompt, model, and the tool when the editor could only
 * say "a chat". Nothing else is written: an edit the editor never saw stays out (`import` adds those).
 * The editor runs this for its own workspace's session files; running it twice changes nothing.
 */
import { readFileSync, statSync } from 'node:fs';
import { ENRICH_WINDOW_MS, enrichEditorEdit, pickEditorEdit } from '../../core/capture/agentJoin';
import { agentEditToRecords, PathOutsideRootError } from '../../core/connectors/toRecords';
import { detectTranscriptFormat, importTranscriptFile } from '../../core/connectors/transcripts/importers';
import { CONNECTOR_TOOLS, type ConnectorTool, isConnectorTool } from '../../core/connectors/types';
import { loadUserConfig } from '../../core/config/userConfig';
import type { EditEvent } from '../../core/model/schema';
import { openStore, type ProvenanceStore } from '../../core/store/provenanceStore';
import { RecordContexts } from './hookRecordContext';
import { transcriptFiles } from './importFiles';
import { MAX_IMPORT_FILE_BYTES } from './importRecords';
import { parseStoreArgs } from './storeArgs';

const USAGE = `usage: lineagelens enrich <tool> <path...> [--home DIR] [--json]
tools: ${CONNECTOR_TOOLS.join(', ')}
`;

interface EnrichReport {
  path: string;
  format?: string;
  /** Edits the file describes. */
  edits: number;
  /** Editor records that gained prompt and model from it. */
  enriched: number;
  error?: string;
}

export async function runEnrich(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args);
  } catch (err) {
    process.stderr.write(`lineagelens enrich: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [tool, ...paths] = parsed.positional;
  if (!tool || !isConnectorTool(tool) || paths.length === 0) {
    process.stderr.write(`lineagelens enrich: ${tool && !isConnectorTool(tool) ? `unknown tool "${tool}"` : 'name a tool and at least one path'}\n${USAGE}`);
    return 2;
  }
  const config = loadUserConfig(parsed.home);
  const found = transcriptFiles(tool, paths);
  const reports: EnrichReport[] = found.problems.map((p) => ({ path: p.path, edits: 0, enriched: 0, error: p.message }));
  if (found.files.length > 0) {
    const store = await openStore({ home: parsed.home, index: 'inProcess', privacy: config.privacy, onProblem: (p) => process.stderr.write(`warning: ${p.message}\n`) });
    try {
      const enrichedIds = new Set<string>();
      const contexts = new RecordContexts(false);
      for (const file of found.files) reports.push(await enrichFrom(tool, file, store, contexts, enrichedIds));
    } finally {
      await store.close();
    }
  }
  const enriched = reports.reduce((n, r) => n + r.enriched, 0);
  if (parsed.json) {
    for (const r of reports) process.stdout.write(JSON.stringify(r) + '\n');
    process.stdout.write(JSON.stringify({ summary: { files: found.files.length, enriched, failed: reports.filter((r) => r.error).length } }) + '\n');
  } else {
    for (const r of reports) process.stdout.write(r.error ? `${r.path}: error: ${r.error}\n` : `${r.path}: ${r.enriched} of ${r.edits} edits matched editor records (${r.format})\n`);
    process.stdout.write(`enriched ${enriched} editor record${enriched === 1 ? '' : 's'} with prompt and model\n`);
  }
  return reports.length > 0 && reports.every((r) => r.error) ? 1 : 0;
}

async function enrichFrom(tool: ConnectorTool, file: string, store: ProvenanceStore, contexts: RecordContexts, enrichedIds: Set<string>): Promise<EnrichReport> {
  const report: EnrichReport = { path: file, edits: 0, enriched: 0 };
  let transcript;
  try {
    const stat = statSync(file);
    if (stat.size > MAX_IMPORT_FILE_BYTES) throw new Error(`it is ${stat.size} bytes, over the ${MAX_IMPORT_FILE_BYTES}-byte limit`);
    const bytes = readFileSync(file);
    const format = detectTranscriptFormat(tool, file, bytes.subarray(0, 4096));
    report.format = format;
    transcript = await importTranscriptFile(format, bytes, { path: file, fallbackTime: stat.mtime.toISOString() });
  } catch (err) {
    report.error = (err as Error).message;
    return report;
  }
  report.edits = transcript.edits.length;
  const updates: EditEvent[] = [];
  for (const agentEdit of transcript.edits) {
    if (agentEdit.rejected) continue;
    const { edit, context } = await contexts.forEdit(agentEdit);
    let agent: EditEvent;
    try {
      agent = agentEditToRecords(edit, context).edit;
    } catch (err) {
      if (err instanceof PathOutsideRootError) continue;
      throw err;
    }
    const at = Date.parse(agent.time);
    const page = await store.query({
      repoId: agent.file.repo?.id ?? null,
      path: agent.file.path,
      kind: 'edit',
      live: false,
      since: new Date(at - ENRICH_WINDOW_MS).toISOString(),
      until: new Date(at + ENRICH_WINDOW_MS).toISOString(),
      limit: 500,
    });
    if (page.hits.length === 0) continue;
    const candidates = (await store.getRecords(page.hits.map((h) => h.seq))).filter((r): r is EditEvent => r?.kind === 'edit');
    const editor = pickEditorEdit(agent, candidates, enrichedIds);
    if (!editor) continue;
    enrichedIds.add(editor.id);
    updates.push(enrichEditorEdit(editor, agent, `${tool} session file`));
  }
  if (updates.length > 0) await store.append(updates);
  report.enriched = updates.length;
  return report;
}

/**
 * `lineagelens import <tool> <path...> [--home DIR] [--json]`: imports agent transcripts (files, or folders
 * searched for them; see importFiles.ts) into the local store. Each file is reported: edits imported,
 * already stored, not recorded, warnings with line numbers, errors. One bad file never stops the others;
 * the exit code is 1 only when no file could be imported at all (2: usage).
 */
import { CONNECTOR_TOOLS, type ConnectorTool, isConnectorTool } from '../../core/connectors/types';
import { loadUserConfig } from '../../core/config/userConfig';
import { openStore } from '../../core/store/provenanceStore';
import { transcriptFiles } from './importFiles';
import { type FileReport, ImportRun } from './importRecords';
import { parseStoreArgs } from './storeArgs';

const USAGE = `usage: lineagelens import <tool> <path...> [--home DIR] [--json]
tools: ${CONNECTOR_TOOLS.join(', ')}
`;
const MAX_WARNINGS_SHOWN = 10;

export async function runImport(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args);
  } catch (err) {
    process.stderr.write(`lineagelens import: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [tool, ...paths] = parsed.positional;
  if (!tool || !isConnectorTool(tool) || paths.length === 0) {
    process.stderr.write(`lineagelens import: ${tool && !isConnectorTool(tool) ? `unknown tool "${tool}"` : 'name a tool and at least one path'}\n${USAGE}`);
    return 2;
  }
  const config = loadUserConfig(parsed.home);
  for (const problem of config.problems) process.stderr.write(`warning: ${problem}\n`);
  const found = transcriptFiles(tool, paths);
  const reports: FileReport[] = found.problems.map((p) => ({ path: p.path, edits: 0, imported: 0, alreadyStored: 0, notRecorded: 0, warnings: [], error: p.message }));
  let sessions = 0;
  if (found.files.length > 0) {
    try {
      sessions = await importAll(tool, found.files, parsed.home, config.privacy, reports, parsed.json);
    } catch (err) {
      process.stderr.write(`lineagelens import: ${(err as Error).message}\n`);
      return 1;
    }
  }
  for (const r of reports.filter((x) => !found.files.includes(x.path))) print(r, parsed.json);
  const imported = reports.reduce((n, r) => n + r.imported, 0);
  const failed = reports.filter((r) => r.error).length;
  const summary = { files: found.files.length, failed, imported, alreadyStored: reports.reduce((n, r) => n + r.alreadyStored, 0), sessions, home: parsed.home };
  if (parsed.json) process.stdout.write(JSON.stringify({ summary }) + '\n');
  else {
    process.stdout.write(
      `imported ${count(summary.imported, 'edit')} and ${count(sessions, 'session update')} from ${count(summary.files, 'file')} into ${parsed.home}` +
        `${summary.alreadyStored ? `; ${count(summary.alreadyStored, 'edit')} already stored` : ''}${failed ? `; ${failed} failed` : ''}\n`,
    );
  }
  // A file whose edits were all stored already was imported fine: only "no file could be read" fails.
  return failed > 0 && reports.every((r) => r.error) ? 1 : 0;
}

async function importAll(tool: ConnectorTool, files: readonly string[], home: string, privacy: ReturnType<typeof loadUserConfig>['privacy'], reports: FileReport[], json: boolean): Promise<number> {
  const store = await openStore({ home, index: 'inProcess', privacy, onProblem: (p) => process.stderr.write(`warning: ${p.message}\n`) });
  try {
    const run = new ImportRun(tool, store);
    for (const file of files) {
      const report = await run.importFile(file);
      reports.push(report);
      print(report, json);
    }
    return await run.finishSessions();
  } finally {
    await store.close();
  }
}

function print(r: FileReport, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  if (r.error) {
    process.stdout.write(`${r.path}: error: ${r.error}\n`);
    return;
  }
  const parts = [`${count(r.imported, 'edit')} imported`];
  if (r.alreadyStored) parts.push(`${r.alreadyStored} already stored`);
  if (r.notRecorded) parts.push(`${r.notRecorded} not recorded`);
  if (r.warnings.length) parts.push(count(r.warnings.length, 'warning'));
  process.stdout.write(`${r.path}: ${parts.join(', ')}${r.format ? ` (${r.format})` : ''}\n`);
  // The same message for many edits (one file outside the repository) is shown once, with its count.
  const messages = new Map<string, number>();
  for (const w of r.warnings) {
    const text = w.line !== undefined && !w.message.includes(`line ${w.line}`) ? `line ${w.line}: ${w.message}` : w.message;
    messages.set(text, (messages.get(text) ?? 0) + 1);
  }
  const shown = [...messages].slice(0, MAX_WARNINGS_SHOWN);
  for (const [text, n] of shown) process.stdout.write(`  ${text}${n > 1 ? ` (${n} times)` : ''}\n`);
  if (messages.size > shown.length) process.stdout.write(`  (+${messages.size - shown.length} more warnings; --json lists them all)\n`);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

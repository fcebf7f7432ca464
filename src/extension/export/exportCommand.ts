import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { EXPORT_FORMATS, type ExportFormat } from '../../core/export/exportFormats';
import { RepoInfoCache } from '../../core/git/repoInfo';
import { formatIssues } from '../../core/model/version';
import type { Log } from '../log';
import { ExportChildCancelled, type ExportSummary, runExportChild } from './exportChild';
import type { SigningKeys } from './signingKeys';

/** "LineageLens: Export..." arguments; given in full (tests, other extensions), the pickers are skipped. */
export const ExportArgs = z.object({
  format: z.enum(EXPORT_FORMATS),
  out: z.string().min(1).max(4096),
  scope: z.enum(['repository', 'file', 'all']).default('all'),
  sign: z.boolean().default(false),
});
export type ExportArgs = z.infer<typeof ExportArgs>;
type Scope = ExportArgs['scope'];

export interface ExportCommandResult extends ExportSummary {
  out: string;
  /** The public key to verify a signed export with (`lineagelens verify OUT --key FILE`). */
  publicKeyFile?: string;
}

const EXTENSIONS: Record<ExportFormat, string> = { jsonl: 'jsonl', csv: 'csv', 'agent-trace': 'jsonl', markdown: 'md', intoto: 'intoto.json' };
const FORMAT_LABELS: Record<ExportFormat, string> = {
  jsonl: 'JSONL: every record, full schema, verifiable record by record',
  csv: 'CSV: flat, for spreadsheets',
  'agent-trace': 'Agent Trace 0.1 records',
  markdown: 'Markdown audit report, per session',
  intoto: 'in-toto Statement in a signed DSSE envelope',
};
/** Bigger results are revealed, not opened as text. */
const OPEN_MAX_BYTES = 50 * 1024 * 1024;

export interface ExportDeps {
  extensionPath: string;
  home: () => string;
  keys: SigningKeys;
  log: Log;
}

/** The palette command: pickers (unless `raw` is complete), then the export in a child process. */
export async function exportCommand(deps: ExportDeps, raw: unknown): Promise<ExportCommandResult | undefined> {
  let args: ExportArgs | undefined;
  if (raw !== undefined) {
    const parsed = ExportArgs.safeParse(raw);
    if (!parsed.success) throw new Error(`LineageLens: Export: bad arguments: ${formatIssues(parsed.error)}`);
    args = parsed.data;
  } else args = await pickArgs();
  if (!args) return undefined;
  let filters: string[];
  try {
    filters = await scopeFilters(args.scope);
  } catch (err) {
    void vscode.window.showErrorMessage(`LineageLens: ${(err as Error).message}`);
    if (raw !== undefined) throw err; // a programmatic caller learns why
    return undefined;
  }
  const out = path.resolve(args.out);
  const sign = args.sign || args.format === 'intoto';
  const key = sign ? await deps.keys.privateKeyPem() : undefined;
  if (key?.created) deps.log.info(`created an Ed25519 export signing key in SecretStorage; public key: ${key.publicKeyFile}`);
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LineageLens: exporting ${args.format}`, cancellable: true },
      (progress, token) =>
        runExportChild({
          cli: path.join(deps.extensionPath, 'dist', 'cli.js'),
          args: ['--format', args.format, '--out', out, '--home', deps.home(), ...filters, ...(sign ? ['--sign', '--key-stdin'] : [])],
          out,
          ...(key ? { stdin: key.pem } : {}),
          onProgress: (n) => progress.report({ message: `${n.toLocaleString()} records` }),
          onCancel: (cancel) => token.onCancellationRequested(cancel),
        }),
    );
    deps.log.info(`exported ${summary.records} records as ${args.format}${summary.signature ? ' (signed)' : ''}`);
    void showResult(args.format, out, summary);
    return { ...summary, out, ...(key ? { publicKeyFile: key.publicKeyFile } : {}) };
  } catch (err) {
    if (err instanceof ExportChildCancelled) {
      void vscode.window.showInformationMessage('LineageLens: export cancelled; the partial file was removed.');
      return undefined;
    }
    deps.log.error('export failed', err);
    void vscode.window.showErrorMessage(`LineageLens: export failed: ${(err as Error).message}`);
    throw err;
  }
}

async function pickArgs(): Promise<ExportArgs | undefined> {
  const format = await vscode.window.showQuickPick(
    EXPORT_FORMATS.map((f) => ({ label: f, detail: FORMAT_LABELS[f], format: f })),
    { title: 'LineageLens: Export — format', ignoreFocusOut: true },
  );
  if (!format) return undefined;
  const fileOpen = activeFile() !== undefined;
  const scopes: { label: string; scope: Scope }[] = [
    { label: 'This repository', scope: 'repository' },
    ...(fileOpen ? [{ label: 'This file', scope: 'file' as const }] : []),
    { label: 'Everything in the local store', scope: 'all' },
  ];
  const scope = await vscode.window.showQuickPick(scopes, { title: 'LineageLens: Export — records', ignoreFocusOut: true });
  if (!scope) return undefined;
  let sign = format.format === 'intoto';
  if (!sign) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'Sign (Ed25519)', detail: 'A DSSE signature file beside the export, checked by `lineagelens verify`', sign: true },
        { label: 'Do not sign', sign: false },
      ],
      { title: 'LineageLens: Export — signature', ignoreFocusOut: true },
    );
    if (!choice) return undefined;
    sign = choice.sign;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `lineagelens-export-${new Date().toISOString().slice(0, 10)}.${EXTENSIONS[format.format]}`;
  const target = await vscode.window.showSaveDialog({
    title: 'LineageLens: Export — save as',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
  if (!target || target.scheme !== 'file') return undefined;
  return { format: format.format, out: target.fsPath, scope: scope.scope, sign };
}

function activeFile(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
}

/** CLI filter arguments for a scope: the repository of the active file (else the first folder), or that file. */
async function scopeFilters(scope: Scope): Promise<string[]> {
  if (scope === 'all') return [];
  const file = activeFile();
  if (scope === 'file' && !file) throw new Error('export "this file" needs an open file');
  const anchor = file ?? (vscode.workspace.workspaceFolders?.[0] ? path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, '.lineagelens') : undefined);
  const info = anchor ? await new RepoInfoCache().forFile(anchor) : undefined;
  if (!info) throw new Error(`export "this ${scope}" needs a git repository`);
  if (scope === 'repository') return ['--repo', info.identity.id];
  return ['--repo', info.identity.id, '--path', path.relative(info.root, file!).split(path.sep).join('/')];
}

async function showResult(format: ExportFormat, out: string, summary: ExportSummary): Promise<void> {
  try {
    const asText = (format === 'markdown' || format === 'csv' || format === 'jsonl') && statSync(out).size <= OPEN_MAX_BYTES;
    if (asText) await vscode.window.showTextDocument(vscode.Uri.file(out), { preview: false });
    else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
  } catch {
    // Opening is a convenience (a remote host may have no file manager); the message below names the file.
  }
  void vscode.window.showInformationMessage(
    `LineageLens exported ${summary.records} record${summary.records === 1 ? '' : 's'} to ${path.basename(out)}${summary.signature ? ', signed' : ''}.`,
  );
}

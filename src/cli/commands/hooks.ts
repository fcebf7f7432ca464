/**
 * `lineagelens hooks install <tool> [--user|--project] [--repo DIR] [--home DIR]`
 * `lineagelens hooks uninstall <tool> [--user|--project] [--repo DIR] [--home DIR]`
 * `lineagelens hooks status [<tool>] [--repo DIR] [--home DIR] [--json]`
 *
 * Install adds our entries to the tool's hook configuration (user scope by default) running
 * `"<node>" "<this CLI>" hook <tool>` by absolute paths, so the agent finds it whatever its PATH; uninstall
 * removes exactly those. A configuration that cannot be read as JSON is never touched: exit 1 with the
 * reason. Exit 2 for usage errors.
 */
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONNECTOR_TOOLS, type ConnectorTool, isConnectorTool } from '../../core/connectors/types';
import { RepoInfoCache } from '../../core/git/repoInfo';
import { HOOK_SPECS, hooksConfigLocation, HooksConfigError, type HooksScope, hooksStatus, isOurCommand } from '../../core/hooksConfig';
import { resolveStoreHome } from '../../core/store/storeHome';
import { installHooksInFile, readConfigText, uninstallHooksFromFile } from '../../core/hooksConfig/hooksFiles';
import { ensureLauncher, launcherHookCommand, launcherPath } from '../../core/hooksConfig/launcher';

const USAGE = `usage: lineagelens hooks install <tool> [--user|--project] [--repo DIR] [--home DIR]
       lineagelens hooks uninstall <tool> [--user|--project] [--repo DIR] [--home DIR]
       lineagelens hooks status [<tool>] [--repo DIR] [--home DIR] [--json]
tools: ${CONNECTOR_TOOLS.join(', ')}
`;

interface HooksArgs {
  sub: string;
  tools: ConnectorTool[];
  scope: HooksScope;
  repo?: string;
  /** Store home as given with --home (passed on to the hook command), else undefined. */
  homeSetting?: string;
  storeHome: string;
  json: boolean;
}

export async function runHooks(args: string[]): Promise<number> {
  if ((args[0] === 'install' || args[0] === 'uninstall') && args[1] === 'git') return (await import('./gitHooksCli')).runGitHooks(args[0], args.slice(2));
  let parsed: HooksArgs;
  try {
    parsed = parseHooksArgs(args);
  } catch (err) {
    process.stderr.write(`lineagelens hooks: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const userHome = os.homedir();
  let repoRoot: string | undefined;
  try {
    repoRoot = parsed.repo ? path.resolve(parsed.repo) : await gitRootOf(process.cwd());
    if (parsed.sub !== 'status' && parsed.scope === 'project' && !repoRoot) throw new Error('--project needs a repository: run it inside one, or pass --repo DIR');
  } catch (err) {
    process.stderr.write(`lineagelens hooks: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.sub === 'status') return showStatus(parsed, { home: userHome, repoRoot });
  const tool = parsed.tools[0]!;
  const location = hooksConfigLocation(tool, parsed.scope, { home: userHome, repoRoot });
  try {
    return parsed.sub === 'install' ? install(tool, location.path, location.notes, parsed) : uninstall(tool, location.path, parsed);
  } catch (err) {
    const reason = err instanceof HooksConfigError ? err.message : `${(err as NodeJS.ErrnoException).code ?? (err as Error).name}: ${(err as Error).message}`;
    process.stderr.write(`lineagelens hooks ${parsed.sub} ${tool}: ${location.path}: ${reason}\n`);
    return 1;
  }
}

function install(tool: ConnectorTool, file: string, notes: readonly string[], args: HooksArgs): number {
  const command = process.platform === 'win32' ? hookCommand(tool, args.homeSetting) : launcherCommand(tool, args);
  const outcome = installHooksInFile(tool, file, command, args.storeHome);
  const events = HOOK_SPECS[tool].events.map((e) => e.name).join(', ');
  if (!outcome.changed) {
    process.stdout.write(`${tool} hooks are already installed in ${file}\n`);
    return 0;
  }
  process.stdout.write(`installed ${tool} hooks (${events}) in ${file} (${outcome.created ? 'new file' : `previous version: ${outcome.backup}`})\n`);
  process.stdout.write(`  command: ${command}\n`);
  for (const note of notes) process.stdout.write(`  note: ${note}\n`);
  return 0;
}

function uninstall(tool: ConnectorTool, file: string, args: HooksArgs): number {
  const outcome = uninstallHooksFromFile(tool, file, args.storeHome);
  const messages = {
    no_file: `${tool} hooks are not installed (no ${file})`,
    not_installed: `no LineageLens ${tool} hooks in ${file}`,
    deleted: `removed ${tool} hooks: deleted ${file} (LineageLens had created it)`,
    removed: `removed ${tool} hooks from ${file} (previous version: ${outcome.backup})`,
  };
  process.stdout.write(`${messages[outcome.state]}\n`);
  return 0;
}

interface StatusRow {
  tool: ConnectorTool;
  scope: HooksScope;
  path: string;
  state: 'installed' | 'partial' | 'not_installed' | 'unreadable';
  missingEvents: string[];
  /** Our commands run another node or CLI than this one (either moved or was updated): install updates them. */
  outdated: boolean;
  error?: string;
}

function showStatus(args: HooksArgs, dirs: { home: string; repoRoot?: string }): number {
  const rows: StatusRow[] = [];
  const scopes: HooksScope[] = dirs.repoRoot ? ['user', 'project'] : ['user'];
  for (const tool of args.tools) {
    for (const scope of scopes) {
      const file = hooksConfigLocation(tool, scope, dirs).path;
      try {
        const status = hooksStatus(tool, readConfigText(file));
        const runs = [`"${process.execPath}"`, `"${cliPath()}"`];
        rows.push({
          tool,
          scope,
          path: file,
          state: status.state,
          missingEvents: Object.entries(status.events).filter(([, on]) => !on).map(([name]) => name),
          // Commands through the editor's launcher (<home>/bin/lineagelens) follow the extension: never outdated.
          outdated: status.commands.some((c) => !runs.every((part) => c.includes(part)) && !c.includes(`"${launcherPath(args.storeHome)}"`)),
        });
      } catch (err) {
        rows.push({ tool, scope, path: file, state: 'unreadable', missingEvents: [], outdated: false, error: (err as Error).message });
      }
    }
  }
  if (args.json) process.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else process.stdout.write(rows.map(describeRow).join(''));
  return rows.some((r) => r.state === 'unreadable') ? 1 : 0;
}

function describeRow(r: StatusRow): string {
  const state = r.state === 'not_installed' ? 'not installed' : r.state;
  let out = `${r.tool.padEnd(12)} ${r.scope.padEnd(8)} ${state.padEnd(14)} ${r.path}\n`;
  if (r.state === 'partial') out += `  missing: ${r.missingEvents.join(', ')} (run hooks install to complete)\n`;
  if (r.outdated) out += `  runs another node or LineageLens than this one (run hooks install to update)\n`;
  if (r.error) out += `  error: ${r.error}\n`;
  return out;
}

/**
 * The command a hook runs: node and this CLI by absolute paths. Hook configurations recognise our entries
 * by "lineagelens … hook <tool>"; when the CLI's path does not say lineagelens (a source checkout), the
 * program's name goes in front of `hook` (main.ts skips it).
 */
export function hookCommand(tool: ConnectorTool, homeSetting?: string): string {
  const cli = cliPath();
  for (const p of [process.execPath, cli, homeSetting ?? '']) {
    if (p.includes('"')) throw new Error(`cannot write a hook command for a path containing '"': ${p}`);
  }
  const home = homeSetting ? ` --home "${path.resolve(homeSetting)}"` : '';
  const plain = `"${process.execPath}" "${cli}" hook ${tool}${home}`;
  return isOurCommand(tool, plain) ? plain : `"${process.execPath}" "${cli}" lineagelens hook ${tool}${home}`;
}

/**
 * The command through the launcher in the store home (see core/hooksConfig/launcher): it spools the
 * payloads of agents whose payload carries the edit, so the agent does not wait for Node to start.
 */
function launcherCommand(tool: ConnectorTool, args: HooksArgs): string {
  const launcher = ensureLauncher(args.storeHome, { execPath: process.execPath, cliPath: cliPath(), writtenBy: 'Written by lineagelens hooks install' });
  return launcherHookCommand(launcher.path, tool, args.homeSetting);
}

/** This CLI's script: dist/cli.js when bundled (or out/src/cli/bin.js when run from the compiled sources). */
function cliPath(): string {
  const script = process.argv[1] ?? __filename;
  try {
    return realpathSync.native(script);
  } catch {
    return path.resolve(script);
  }
}

async function gitRootOf(dir: string): Promise<string | undefined> {
  return (await new RepoInfoCache().forFile(path.join(dir, '.lineagelens-probe')))?.root;
}

function parseHooksArgs(args: readonly string[]): HooksArgs {
  const [sub, ...rest] = args;
  if (sub !== 'install' && sub !== 'uninstall' && sub !== 'status') throw new Error(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
  const tools: ConnectorTool[] = [];
  let scope: HooksScope | undefined;
  let repo: string | undefined;
  let homeSetting: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--user' || arg === '--project') {
      const chosen = arg === '--user' ? 'user' : 'project';
      if (scope && scope !== chosen) throw new Error('--user and --project exclude each other');
      scope = chosen;
    } else if (arg === '--repo') repo = value();
    else if (arg === '--home') homeSetting = value();
    else if (arg === '--json') json = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (isConnectorTool(arg)) tools.push(arg);
    else throw new Error(`unknown tool "${arg}"`);
  }
  if (sub !== 'status' && tools.length !== 1) throw new Error(`${sub} needs exactly one tool`);
  const storeHome = homeSetting ? resolveStoreHome({ setting: homeSetting }) : resolveStoreHome();
  return {
    sub,
    tools: tools.length ? tools : [...CONNECTOR_TOOLS],
    scope: scope ?? (repo ? 'project' : 'user'),
    ...(repo ? { repo } : {}),
    ...(homeSetting ? { homeSetting: storeHome } : {}),
    storeHome,
    json,
  };
}

/**
 * `<store home>/config.json`: settings that processes without the editor need (hook processes, the CLI).
 * The extension writes it when its settings change; hand edits are fine. Shape:
 * `{privacy?: 'full'|'redacted'|'hash'|'off', retentionDays?: number}`; unknown keys are kept (a newer
 * LineageLens may have written them). `LINEAGELENS_PRIVACY` overrides the file's privacy level.
 *
 * Reading never throws: a missing file means defaults; a broken one is reported (problems) and the
 * defaults are used for what could not be read, so a hook never fails on a bad config.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PRIVACY_LEVEL, PrivacyLevel } from '../privacy/privacyLevel';
import { writeFileAtomicSync } from './atomicWrite';

export const USER_CONFIG_FILE = 'config.json';
export const PRIVACY_ENV = 'LINEAGELENS_PRIVACY';

export const UserConfig = z.looseObject({
  privacy: PrivacyLevel.optional(),
  /** Records older than this many days may be pruned. */
  retentionDays: z.number().positive().finite().optional(),
});
export type UserConfig = z.infer<typeof UserConfig>;

export interface LoadedUserConfig {
  /** What the file holds (valid fields only; unknown keys kept). */
  config: UserConfig;
  /** The privacy level in effect: env, else file, else the default. */
  privacy: PrivacyLevel;
  privacySource: 'env' | 'file' | 'default';
  /** Why something in the file or the environment was not used. Never contains prompt or code text. */
  problems: string[];
}

export function userConfigPath(home: string): string {
  return path.join(home, USER_CONFIG_FILE);
}

export function loadUserConfig(home: string, env: NodeJS.ProcessEnv = process.env): LoadedUserConfig {
  const file = userConfigPath(home);
  const problems: string[] = [];
  const config = readConfigFile(file, problems);
  let privacy: PrivacyLevel = config.privacy ?? DEFAULT_PRIVACY_LEVEL;
  let privacySource: LoadedUserConfig['privacySource'] = config.privacy ? 'file' : 'default';
  const fromEnv = env[PRIVACY_ENV]?.trim();
  if (fromEnv) {
    const parsed = PrivacyLevel.safeParse(fromEnv.toLowerCase());
    if (parsed.success) {
      privacy = parsed.data;
      privacySource = 'env';
    } else {
      problems.push(`${PRIVACY_ENV} must be one of ${PrivacyLevel.options.join(', ')}: ignored, using '${privacy}'`);
    }
  }
  return { config, privacy, privacySource, problems };
}

function readConfigFile(file: string, problems: string[]): UserConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`cannot read ${file} (${code ?? 'error'}): using the defaults`);
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push(`${file} is not valid JSON: using the defaults`);
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push(`${file} is not a JSON object: using the defaults`);
    return {};
  }
  const whole = UserConfig.safeParse(json);
  if (whole.success) return whole.data;
  // Keep every field that is valid; name the others.
  const kept: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  for (const issue of whole.error.issues) {
    const key = issue.path[0];
    if (typeof key !== 'string' || !(key in kept)) continue;
    delete kept[key];
    problems.push(`${file}: "${key}" ${describeIssue(key)}: ignored, using the default`);
  }
  return UserConfig.parse(kept);
}

function describeIssue(key: string): string {
  if (key === 'privacy') return `must be one of ${PrivacyLevel.options.join(', ')}`;
  if (key === 'retentionDays') return 'must be a positive number of days';
  return 'is invalid';
}

/**
 * Sets fields of the config file (undefined removes one), keeping every other key. Refuses to replace a
 * file that is not a JSON object (it could be a hand edit in progress): throws, having changed nothing.
 */
export function updateUserConfig(home: string, changes: Partial<UserConfig>): UserConfig {
  const file = userConfigPath(home);
  let current: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined && text.trim() !== '') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON: not changed`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file} is not a JSON object: not changed`);
    current = json as Record<string, unknown>;
  }
  // Only the new values are checked: a bad field the caller does not touch stays for its owner to fix.
  const set = UserConfig.parse(Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
  const next: Record<string, unknown> = { ...current, ...set };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  writeFileAtomicSync(file, JSON.stringify(next, null, 2) + '\n');
  return next as UserConfig;
}

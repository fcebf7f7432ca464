/** Flags shared by the store commands: `--home DIR`, `--json`, and named values, checked with zod. */
import { z } from 'zod';
import { resolveStoreHome } from '../../core/store/storeHome';

export interface StoreArgs {
  home: string;
  json: boolean;
  /** Boolean flags that were given (from `switches`). */
  flags: Set<string>;
  values: Map<string, string>;
  positional: string[];
}

/** Parses `args`; `valued` names the options that take a value (besides --home), `switches` the boolean ones. */
export function parseStoreArgs(args: readonly string[], valued: readonly string[] = [], switches: readonly string[] = []): StoreArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (switches.includes(arg)) flags.add(arg);
    else if (arg === '--home' || valued.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      values.set(arg, value);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const home = values.get('--home');
  return { home: home ? resolveStoreHome({ setting: home }) : resolveStoreHome(), json, flags, values, positional };
}

export const DaysArg = z.coerce.number().finite().nonnegative();

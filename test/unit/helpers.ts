import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root, from out/test/unit (compiled) or test/unit (source). */
export const repoRoot = path.resolve(__dirname, '..', '..', ...(path.basename(path.resolve(__dirname, '..', '..')) === 'out' ? ['..'] : []));

export function readFixture(rel: string): unknown {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', rel), 'utf8'));
}

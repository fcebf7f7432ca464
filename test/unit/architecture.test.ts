import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './helpers';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('architecture', () => {
  const coreFiles = tsFiles(path.join(repoRoot, 'src', 'core'));

  it('has a core to check', () => {
    assert.ok(coreFiles.length >= 5, `found ${coreFiles.length} core files`);
  });

  it('keeps src/core free of the vscode API and of the adapters', () => {
    const offenders = coreFiles.filter((f) =>
      /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|from\s+['"][./]*(extension|cli|server)\/)/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
  });

  it('declares every registered command in package.json and vice versa', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    const source = tsFiles(path.join(repoRoot, 'src', 'extension')).map((f) => readFileSync(f, 'utf8')).join('\n');
    // Commands are registered by literal id, or from a table of `{ id: 'lineagelens.…' }` entries.
    const registered = [...source.matchAll(/(?:registerCommand\(\s*|\bid:\s*)'(lineagelens\.[^']+)'/g)].map((m) => m[1]!).sort();
    assert.deepEqual(registered, declared);
  });
});

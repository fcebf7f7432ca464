import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RepoInfoCache, normaliseRemote } from '../../src/core/git/repoInfo';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('repository facts (real git)', () => {
  it('normalises remotes so every clone names the repository alike', () => {
    const expected = 'github.com/acme/shop';
    for (const url of [
      'git@github.com:acme/shop.git',
      'https://github.com/acme/shop',
      'https://user:s3cret@GitHub.com/acme/shop.git',
      'ssh://git@github.com/acme/shop.git/',
    ]) {
      assert.equal(normaliseRemote(url), expected, url);
    }
  });

  it('reads root, identity, branch, commit and user of a real repository', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'll-repo-'));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'config', 'user.name', 'Dana Smith');
    git(root, 'config', 'user.email', 'dana@example.com');
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'a.ts'), 'export {};\n');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
    const cache = new RepoInfoCache();
    const info = await cache.forFile(path.join(root, 'src', 'a.ts'));
    assert.ok(info);
    assert.equal(info.root, execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8' }).trim());
    assert.equal(info.branch, 'main');
    assert.equal(info.commit, git(root, 'rev-parse', 'HEAD'));
    assert.deepEqual(info.user, { name: 'Dana Smith', email: 'dana@example.com' });
    assert.equal(info.identity.remote, undefined);

    // Adding a remote changes the identity to the remote-based one (after the cache is cleared).
    git(root, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git');
    cache.clear();
    const withRemote = await cache.forFile(path.join(root, 'src', 'a.ts'));
    assert.equal(withRemote?.identity.remote, 'github.com/acme/shop');
    assert.notEqual(withRemote?.identity.id, info.identity.id);
  });

  it('gives no repo facts outside a repository', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'll-norepo-'));
    assert.equal(await new RepoInfoCache().forFile(path.join(dir, 'x.ts')), undefined);
  });
});

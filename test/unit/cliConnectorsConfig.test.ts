import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadUserConfig, updateUserConfig, userConfigPath } from '../../src/core/config/userConfig';
import { formatHookLogLine } from '../../src/cli/commands/hookLog';
import { parseSince } from '../../src/cli/commands/log';
import { lineSuffix, promptExcerpt } from '../../src/cli/commands/logFormat';

function home(config?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'll-config-'));
  if (config !== undefined) writeFileSync(userConfigPath(dir), config);
  return dir;
}

describe('user config (config.json)', () => {
  it('defaults to redacted without a file', () => {
    assert.deepEqual(loadUserConfig(home(), {}), { config: {}, privacy: 'redacted', privacySource: 'default', problems: [] });
  });

  it('reads privacy and retention, keeps unknown keys, and lets LINEAGELENS_PRIVACY override', () => {
    const dir = home(JSON.stringify({ privacy: 'hash', retentionDays: 90, sync: { later: true } }));
    const loaded = loadUserConfig(dir, {});
    assert.deepEqual([loaded.privacy, loaded.privacySource, loaded.config.retentionDays, loaded.config.sync], ['hash', 'file', 90, { later: true }]);
    const env = loadUserConfig(dir, { LINEAGELENS_PRIVACY: 'OFF' });
    assert.deepEqual([env.privacy, env.privacySource], ['off', 'env']);
    const badEnv = loadUserConfig(dir, { LINEAGELENS_PRIVACY: 'everything' });
    assert.equal(badEnv.privacy, 'hash');
    assert.match(badEnv.problems[0], /LINEAGELENS_PRIVACY must be one of full, redacted, hash, off: ignored, using 'hash'/);
  });

  it('never throws on a bad file: says what is wrong and uses the defaults for it', () => {
    assert.match(loadUserConfig(home('{"privacy": '), {}).problems[0], /config\.json is not valid JSON: using the defaults/);
    assert.match(loadUserConfig(home('[1]'), {}).problems[0], /is not a JSON object/);
    const partly = loadUserConfig(home(JSON.stringify({ privacy: 'secret', retentionDays: 30 })), {});
    assert.deepEqual([partly.privacy, partly.config.retentionDays], ['redacted', 30]);
    assert.match(partly.problems[0], /"privacy" must be one of full, redacted, hash, off: ignored, using the default/);
    assert.match(loadUserConfig(home(JSON.stringify({ retentionDays: -1 })), {}).problems[0], /"retentionDays" must be a positive number of days/);
  });

  it('updates fields, keeping the others, and refuses to overwrite a file it cannot read', () => {
    const dir = home(JSON.stringify({ retentionDays: 30, other: 1 }));
    updateUserConfig(dir, { privacy: 'full' });
    assert.deepEqual(JSON.parse(readFileSync(userConfigPath(dir), 'utf8')), { retentionDays: 30, other: 1, privacy: 'full' });
    updateUserConfig(dir, { retentionDays: undefined });
    assert.deepEqual(JSON.parse(readFileSync(userConfigPath(dir), 'utf8')), { other: 1, privacy: 'full' });
    assert.throws(() => updateUserConfig(dir, { privacy: 'loud' as 'full' }));
    const broken = home('{oops');
    assert.throws(() => updateUserConfig(broken, { privacy: 'off' }), /not valid JSON: not changed/);
    assert.equal(readFileSync(userConfigPath(broken), 'utf8'), '{oops');
  });
});

describe('hook log lines and log formatting', () => {
  it('writes one line per invocation with flat, quoted, capped messages', () => {
    const line = formatHookLogLine(
      { tool: 'claude-code', event: 'Post Tool\nUse', outcome: 'recorded', edits: 2, prompts: 0, skipped: 1, durationMs: 41.6, messages: ['a\nb', 'x'.repeat(400), '3', '4', '5', '6', '7'] },
      new Date('2026-03-01T10:00:00Z'),
    );
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.match(line, /^2026-03-01T10:00:00\.000Z tool=claude-code event=Post_Tool_Use outcome=recorded edits=2 prompts=0 skipped=1 ms=42 messages=\["a b", "x{299}…", "3", "4", "5", "\(\+2 more\)"\]\n$/);
  });

  it('parses --since as a date, a time or a span back from now', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    assert.equal(parseSince('2026-03-01', now), '2026-03-01T00:00:00.000Z');
    assert.equal(parseSince('2026-03-01T10:00:00+02:00', now), '2026-03-01T08:00:00.000Z');
    assert.equal(parseSince('7d', now), '2026-03-03T12:00:00.000Z');
    assert.equal(parseSince('24h', now), '2026-03-09T12:00:00.000Z');
    assert.throws(() => parseSince('last week', now), /--since needs an ISO time/);
  });

  it('shows lines 1-based and the first line of a prompt as stored', () => {
    assert.equal(lineSuffix({ start: { line: 2, character: 0 }, end: { line: 5, character: 0 } }), ':3-5');
    assert.equal(lineSuffix({ start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }), ':3');
    assert.equal(lineSuffix({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), '');
    assert.equal(promptExcerpt({ form: 'redacted', text: `first ${'y'.repeat(100)}\nsecond`, sha256: 'a'.repeat(64), redactions: 0 }), JSON.stringify(`first ${'y'.repeat(73)}…`));
    assert.equal(promptExcerpt({ form: 'hash', sha256: 'a'.repeat(64) }), '(kept as a hash only)');
    assert.equal(promptExcerpt({ form: 'none' }), '(not kept)');
  });
});

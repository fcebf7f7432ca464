import * as assert from 'node:assert/strict';
import { textContent } from '../../src/core/model/content';
import type { AiEditSession } from '../../src/core/model/schema';
import { SCHEMA_ID } from '../../src/core/model/schema';
import { captureLevel, evaluateRecord, globToRegExp, PolicyBody } from '../../src/core/governance/policy';
import { PolicyHistory, retentionCutoff } from '../../src/core/governance/policyHistory';
import { applyPrivacy } from '../../src/core/privacy/privacyLevel';
import { aiEdit } from './gitHelpers';

const policy = (body: unknown) => PolicyBody.parse(body);

describe('governance policies', () => {
  it('capture level: the most specific rules tighten the org default, never loosen it', () => {
    const p = policy({
      capture: {
        default: 'redacted',
        rules: [
          { team: 'payments', level: 'hash' },
          { repo: 'repo-open', level: 'full' },
          { team: 'payments', repo: 'repo-vault', level: 'off' },
        ],
      },
    });
    assert.equal(captureLevel(p, { teams: ['web'], repo: 'repo-x' }), 'redacted');
    assert.equal(captureLevel(p, { teams: ['payments'], repo: 'repo-x' }), 'hash');
    assert.equal(captureLevel(p, { teams: ['payments'], repo: 'repo-vault' }), 'off');
    assert.equal(captureLevel(p, { teams: ['web'], repo: 'repo-open' }), 'redacted', 'a looser repository rule does not loosen the org default');
    assert.equal(captureLevel(p, { teams: [], repo: null }), 'redacted');
    assert.equal(captureLevel(p, { teams: ['web', 'payments'], repo: 'repo-x' }), 'hash', 'a user in several teams gets the strictest of their rules');
  });

  it('policies are validated: unknown fields and bad levels are refused with the field named', () => {
    assert.throws(() => policy({ capture: { default: 'everything' } }), /capture/);
    assert.throws(() => policy({ capture: { default: 'full' }, retention: 30 }), /retention/);
    assert.throws(() => policy({ capture: { default: 'full' }, retentionDays: -1 }), /retentionDays/);
  });

  it('flags tools and models a repository does not allow (prefix patterns), but only there', () => {
    const p = policy({
      capture: { default: 'full' },
      allowed: [{ repo: 'repo-a', tools: ['copilot', 'claude-code'], models: ['claude-sonnet-*', 'gpt-4o'] }],
    });
    const ok = aiEdit('repo-a', 'src/a.ts', 0, ['x']);
    assert.deepEqual(evaluateRecord(p, ok).filter((f) => f.kind !== 'secret-in-prompt'), [], 'claude-sonnet-4-5 matches claude-sonnet-*');
    const badTool = aiEdit('repo-a', 'src/a.ts', 0, ['x'], { tool: { name: 'windsurf' } });
    assert.deepEqual(evaluateRecord(p, badTool).map((f) => f.kind), ['tool-not-allowed']);
    const badModel = aiEdit('repo-a', 'src/a.ts', 0, ['x'], { model: { id: 'o3-mini' } });
    assert.deepEqual(evaluateRecord(p, badModel).map((f) => f.detail), ['model "o3-mini" is not allowed in this repository']);
    const unknownModel = aiEdit('repo-a', 'src/a.ts', 0, ['x'], { model: 'unknown' });
    assert.deepEqual(evaluateRecord(p, unknownModel), [], 'an unknown model is not a violation');
    const elsewhere = aiEdit('repo-b', 'src/a.ts', 0, ['x'], { tool: { name: 'windsurf' } });
    assert.deepEqual(evaluateRecord(p, elsewhere), []);
  });

  it('flags AI code in paths that require review (globs)', () => {
    const p = policy({ capture: { default: 'full' }, requireReview: ['src/auth/**', '**/*.sql', 'infra/*.tf'] });
    const kinds = (file: string) => evaluateRecord(p, aiEdit('r', file, 0, ['x'])).map((f) => f.kind);
    assert.deepEqual(kinds('src/auth/login.ts'), ['review-required']);
    assert.deepEqual(kinds('src/auth/deep/er/token.ts'), ['review-required']);
    assert.deepEqual(kinds('db/migrations/001.sql'), ['review-required']);
    assert.deepEqual(kinds('schema.sql'), ['review-required']);
    assert.deepEqual(kinds('infra/main.tf'), ['review-required']);
    assert.deepEqual(kinds('infra/modules/vpc.tf'), [], '* stays within one folder');
    assert.deepEqual(kinds('src/authz.ts'), []);
    assert.ok(globToRegExp('a?.ts').test('ab.ts') && !globToRegExp('a?.ts').test('a/.ts'));
  });

  it('alerts on secrets in prompts: in clear text, or already redacted by the client', () => {
    const p = policy({ capture: { default: 'full' } });
    const key = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
    const clear = aiEdit('r', 'a.ts', 0, ['x'], { prompt: { content: textContent(`use the key ${key} to upload`), source: 'hook' } });
    const findings = evaluateRecord(p, clear);
    assert.deepEqual(findings.map((f) => f.kind), ['secret-in-prompt']);
    assert.match(findings[0]!.detail, /aws-access-key-id/);
    assert.ok(!findings[0]!.detail.includes(key), 'the finding never repeats the secret');
    const redacted = applyPrivacy(clear, 'redacted');
    assert.deepEqual(evaluateRecord(p, redacted).map((f) => f.detail), findings.map((f) => f.detail));
    assert.deepEqual(evaluateRecord(p, applyPrivacy(clear, 'hash')), [], 'a hashed prompt cannot be judged');
    assert.deepEqual(evaluateRecord(policy({ capture: { default: 'full' }, secretAlerts: false }), clear), []);
    const session: AiEditSession = {
      schema: SCHEMA_ID,
      kind: 'session',
      id: 'ses_1',
      tool: { name: 'cursor' },
      model: 'unknown',
      prompts: [{ content: textContent('nothing secret'), source: 'transcript' }, clear.prompt!],
      repo: null,
      files: [],
      startedAt: clear.time,
      endedAt: clear.time,
      counts: { edits: 1, accepted: 1, rejected: 0, linesAdded: 1, linesKept: 1 },
    } as unknown as AiEditSession;
    assert.deepEqual(evaluateRecord(p, session).map((f) => f.kind), ['secret-in-prompt']);
  });

  it('versions: publishing adds a version, the one in force at a time is found, and the default before any', () => {
    const h = new PolicyHistory();
    assert.equal(h.at('acme').version, 0);
    assert.equal(h.at('acme').body.capture.default, 'full');
    const v1 = h.publish('acme', { capture: { default: 'redacted' } }, 'alice', '2026-01-01T00:00:00.000Z');
    const v2 = h.publish('acme', { capture: { default: 'hash' }, retentionDays: 30 }, 'alice', '2026-06-01T00:00:00.000Z');
    assert.deepEqual([v1.version, v2.version], [1, 2]);
    assert.equal(h.at('acme', '2026-03-01T00:00:00.000Z').version, 1);
    assert.equal(h.at('acme').version, 2);
    assert.equal(h.at('acme', '2025-12-31T00:00:00.000Z').version, 0);
    assert.throws(() => h.publish('acme', { capture: { default: 'hash' }, extra: 1 }, 'mallory'), /extra/);
    assert.equal(h.versions('acme').length, 2, 'a refused policy adds no version');
    assert.throws(() => new PolicyHistory([v2]), /not contiguous/);
    assert.equal(retentionCutoff(v2.body, new Date('2026-07-01T00:00:00.000Z')), '2026-06-01T00:00:00.000Z');
    assert.equal(retentionCutoff(v1.body, new Date()), null);
  });
});

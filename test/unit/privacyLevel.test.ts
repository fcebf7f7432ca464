import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRecord, sha256Hex, textContent, type AiEditSession, type Content, type EditEvent, type ProvenanceRecord } from '../../src/core/model';
import {
  applyPrivacy,
  contentFor,
  contentWithinLevel,
  isAtMostAsRevealing,
  MAX_REDACT_INPUT,
  PrivacyLevel,
  restrictContent,
  stricterLevel,
  type ContentRole,
} from '../../src/core/privacy';
import { readFixture } from './helpers';

const LEVELS = PrivacyLevel.options;
const SECRET_TEXT = 'const client = new Client({ password: "hunter2xyz" });';
const SECRET_HASH = sha256Hex(SECRET_TEXT);

function editWith(inserted: string, deleted: string, prompt: string | null): EditEvent {
  const e = structuredClone(readFixture('records/edit.v1.json')) as EditEvent;
  e.insertedText = textContent(inserted);
  e.deletedText = textContent(deleted);
  e.prompt = prompt === null ? null : { content: textContent(prompt), source: 'hook' };
  return e;
}

function sessionWith(prompts: string[]): AiEditSession {
  const s = structuredClone(readFixture('records/session.v1.json')) as AiEditSession;
  s.prompts = prompts.map((p) => ({ content: textContent(p), source: 'hook' }));
  return s;
}

/** Every Content of a record with its role. */
function contents(r: ProvenanceRecord): Array<[Content, ContentRole]> {
  if (r.kind === 'session') return r.prompts.map((p) => [p.content, 'prompt']);
  const out: Array<[Content, ContentRole]> = [
    [r.insertedText, 'code'],
    [r.deletedText, 'code'],
  ];
  if (r.prompt) out.push([r.prompt.content, 'prompt']);
  return out;
}

describe('privacy levels', () => {
  it('parses the four levels with zod and rejects anything else', () => {
    assert.deepEqual(LEVELS, ['full', 'redacted', 'hash', 'off']);
    assert.equal(PrivacyLevel.safeParse('strict').success, false);
  });

  it('orders levels from most to least revealing', () => {
    assert.ok(isAtMostAsRevealing('off', 'hash') && isAtMostAsRevealing('hash', 'redacted') && isAtMostAsRevealing('redacted', 'full'));
    assert.ok(!isAtMostAsRevealing('full', 'redacted'));
    for (const a of LEVELS) assert.ok(isAtMostAsRevealing(a, a));
    assert.equal(stricterLevel('full', 'hash'), 'hash');
    assert.equal(stricterLevel('off', 'redacted'), 'off');
  });

  describe('contentFor', () => {
    it('keeps text at full, redacts at redacted, hashes at hash, drops prompts at off', () => {
      assert.deepEqual(contentFor(SECRET_TEXT, 'full', 'code'), { form: 'text', text: SECRET_TEXT, sha256: SECRET_HASH });
      assert.deepEqual(contentFor(SECRET_TEXT, 'redacted', 'prompt'), {
        form: 'redacted',
        text: 'const client = new Client({ password: "[REDACTED:password]" });',
        sha256: SECRET_HASH,
        redactions: 1,
      });
      assert.deepEqual(contentFor(SECRET_TEXT, 'hash', 'prompt'), { form: 'hash', sha256: SECRET_HASH });
      assert.deepEqual(contentFor(SECRET_TEXT, 'off', 'prompt'), { form: 'none' });
      assert.deepEqual(contentFor(SECRET_TEXT, 'off', 'code'), { form: 'hash', sha256: SECRET_HASH });
    });

    it('keeps text without secrets as redacted with a zero count (the form says it was checked)', () => {
      assert.deepEqual(contentFor('x = 1', 'redacted', 'code'), { form: 'redacted', text: 'x = 1', sha256: sha256Hex('x = 1'), redactions: 0 });
    });

    it('stores text too large to scan as a hash under redacted', () => {
      const big = 'a'.repeat(MAX_REDACT_INPUT + 1);
      assert.deepEqual(contentFor(big, 'redacted', 'code'), { form: 'hash', sha256: sha256Hex(big) });
    });
  });

  describe('applyPrivacy', () => {
    it('transforms insertedText, deletedText and the prompt of an edit, keeping everything else', () => {
      const edit = editWith(SECRET_TEXT, 'old code', `use password: hunter2xyz`);
      const out = applyPrivacy(edit, 'redacted');
      assert.deepEqual(out.insertedText, contentFor(SECRET_TEXT, 'redacted', 'code'));
      assert.deepEqual(out.deletedText, contentFor('old code', 'redacted', 'code'));
      assert.deepEqual(out.prompt?.content, contentFor('use password: hunter2xyz', 'redacted', 'prompt'));
      assert.deepEqual({ ...out, insertedText: null, deletedText: null, prompt: null }, { ...edit, insertedText: null, deletedText: null, prompt: null });
      assert.equal(edit.insertedText.form, 'text', 'the input record is not modified');
      parseRecord(out);
    });

    it('transforms every prompt of a session', () => {
      const session = sessionWith(['token=ghp_' + 'FAKEabcdefghijklmnopqrstuvwxyz012345', 'add tests']);
      const out = applyPrivacy(session, 'off');
      assert.deepEqual(
        out.prompts.map((p) => p.content),
        [{ form: 'none' }, { form: 'none' }],
      );
      const redacted = applyPrivacy(session, 'redacted');
      assert.equal(redacted.prompts[0]!.content.form === 'redacted' && redacted.prompts[0]!.content.text, 'token=[REDACTED:github-token]');
      parseRecord(redacted);
    });

    it('never weakens: content stored more strictly keeps its form under a looser level', () => {
      const hashed = applyPrivacy(editWith(SECRET_TEXT, '', 'prompt text'), 'hash');
      const back = applyPrivacy(hashed, 'full');
      assert.deepEqual(back, hashed);
      const none = applyPrivacy(hashed, 'off');
      assert.deepEqual(none.prompt?.content, { form: 'none' });
      assert.deepEqual(applyPrivacy(none, 'full').prompt?.content, { form: 'none' });
      const redacted = applyPrivacy(editWith(SECRET_TEXT, '', null), 'redacted');
      assert.deepEqual(applyPrivacy(redacted, 'full'), redacted);
    });

    it('re-redacts redacted text (picking up newer detectors) without touching the original hash', () => {
      const stale: Content = { form: 'redacted', text: 'key AKIAIOSFODNN7EXAMPLE', sha256: SECRET_HASH, redactions: 2 };
      assert.deepEqual(restrictContent(stale, 'redacted', 'code'), {
        form: 'redacted',
        text: 'key [REDACTED:aws-access-key-id]',
        sha256: SECRET_HASH,
        redactions: 3,
      });
    });
  });

  describe('properties (fast-check)', () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(SECRET_TEXT, 'AKIAIOSFODNN7EXAMPLE', 'x'));
    const record = fc.oneof(
      fc.tuple(text, text, fc.option(text)).map(([i, d, p]) => editWith(i, d, p) as ProvenanceRecord),
      fc.array(text, { maxLength: 4 }).map((ps) => sessionWith(ps) as ProvenanceRecord),
    );
    const level = fc.constantFrom(...LEVELS);

    it('keeps sha256 of the original text at every level, through any sequence of levels', () => {
      fc.assert(
        fc.property(record, fc.array(level, { minLength: 1, maxLength: 4 }), (r, levels) => {
          const originals = contents(r).map(([c]) => (c.form === 'none' ? undefined : c.sha256));
          const out = levels.reduce<ProvenanceRecord>((acc, l) => applyPrivacy(acc, l), r);
          contents(out).forEach(([c], i) => {
            if (c.form !== 'none') assert.equal(c.sha256, originals[i]);
          });
          parseRecord(out);
        }),
        { numRuns: 300 },
      );
    });

    it('keeps no text at hash and off, and no prompt at all at off', () => {
      fc.assert(
        fc.property(record, fc.constantFrom<PrivacyLevel>('hash', 'off'), (r, l) => {
          const out = applyPrivacy(r, l);
          for (const [c, role] of contents(out)) {
            assert.ok(!('text' in c), `${role} kept text at ${l}`);
            if (l === 'off' && role === 'prompt') assert.equal(c.form, 'none');
          }
          assert.ok(!JSON.stringify(out).includes('hunter2xyz'));
        }),
        { numRuns: 300 },
      );
    });

    it('never reveals more than the strictest level applied so far', () => {
      fc.assert(
        fc.property(record, fc.array(level, { minLength: 1, maxLength: 4 }), (r, levels) => {
          const out = levels.reduce<ProvenanceRecord>((acc, l) => applyPrivacy(acc, l), r);
          const strictest = levels.reduce(stricterLevel);
          for (const [c, role] of contents(out)) assert.ok(contentWithinLevel(c, strictest, role), `${c.form} at ${strictest}`);
        }),
        { numRuns: 300 },
      );
    });
  });
});

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { redactSecrets } from '../../src/core/privacy';
import { fakeSecret, GENERATED_KINDS, seededRandom, type GeneratedKind } from '../fixtures/secrets/fakeSecrets';

/** Text around the planted secrets: arbitrary strings, prose, and fragments that look like the start of
 * a secret or its syntax, so the detectors see near-misses next to real secrets. */
const filler = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.lorem({ maxCount: 6 }),
      fc.constantFrom(
        'const x = 1;',
        'password',
        'token',
        ' = ',
        ': ',
        '"',
        "'",
        '`',
        '\n',
        '\\',
        '://',
        '@',
        'Bearer ',
        'Authorization: ',
        '-----',
        '-----BEGIN ',
        '${',
        '}',
        '[REDACTED:',
        '[REDACTED:password]',
        'eyJ',
        'ghp_',
        'sk-',
        'AKIA',
        '--token ',
        'curl -u ',
        '<password>',
      ),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(''));

/** A secret in a syntax that marks it as one on its own: vendor tokens bare, named secrets with their name. */
function plantable(kind: GeneratedKind, seed: number): string {
  const value = fakeSecret(kind, seededRandom(seed));
  switch (kind) {
    case 'private-key':
      return `\n${value}\n`;
    case 'slack-webhook':
      return `https://hooks.slack.com/services/${value}`;
    case 'url-password':
      return `postgres://app:${value}@db.internal:5432/app`;
    case 'bearer-token':
      return `Authorization: Bearer ${value}`;
    case 'password':
      return `password = "${value}"`;
    case 'generic-api-key':
      return `api_key = "${value}"`;
    case 'generic-secret':
      return `client_secret = "${value}"`;
    case 'generic-token':
      return `access_token = "${value}"`;
    case 'high-entropy':
      return `SIGNING = "${value}"`;
    case 'aws-secret-access-key':
      return `aws_secret_access_key = "${value}"`;
    default:
      return value;
  }
}

/** The part of a planted secret that must not survive. */
function secretPart(kind: GeneratedKind, seed: number): string {
  return fakeSecret(kind, seededRandom(seed));
}

const planted = fc.record({
  kind: fc.constantFrom(...GENERATED_KINDS),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  at: fc.nat(),
});

describe('redactSecrets properties (fast-check)', () => {
  it('is idempotent on arbitrary text: redacting twice equals redacting once, and finds nothing new', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), filler), (text) => {
        const once = redactSecrets(text);
        const twice = redactSecrets(once.text);
        assert.equal(twice.text, once.text);
        assert.equal(twice.redactions, 0);
      }),
      { numRuns: 600 },
    );
  });

  it('never leaves a planted secret in the output, wherever it is planted in random text', () => {
    fc.assert(
      fc.property(filler, fc.array(planted, { minLength: 1, maxLength: 4 }), (text, secrets) => {
        // Cut the random text at random places and put one secret in each cut (never inside another secret).
        const cuts = secrets.map((s) => s.at % (text.length + 1)).sort((a, b) => a - b);
        let input = '';
        let from = 0;
        secrets.forEach((s, i) => {
          input += `${text.slice(from, cuts[i])} ${plantable(s.kind, s.seed)} `;
          from = cuts[i]!;
        });
        input += text.slice(from);
        const out = redactSecrets(input);
        for (const s of secrets) {
          const secret = secretPart(s.kind, s.seed);
          assert.ok(!out.text.includes(secret), `${s.kind} ${JSON.stringify(secret.slice(0, 30))} survived in ${JSON.stringify(out.text.slice(0, 300))}`);
        }
        assert.ok(out.redactions >= 1);
        // ... and the result is stable: no secret is left for a second pass to find.
        assert.equal(redactSecrets(out.text).text, out.text);
      }),
      { numRuns: 400 },
    );
  });

  it('never increases the number of secrets: markers out <= markers in + redactions, no new detectable secret', () => {
    const markers = (s: string) => (s.match(/\[REDACTED:[a-z0-9-]{1,40}\]/g) ?? []).length;
    fc.assert(
      fc.property(filler, fc.array(planted, { maxLength: 3 }), (text, secrets) => {
        const input = secrets.reduce((acc, s) => `${acc}\n${plantable(s.kind, s.seed)}\n`, text);
        const out = redactSecrets(input);
        assert.ok(markers(out.text) <= markers(input) + out.redactions);
        assert.equal(redactSecrets(out.text).redactions, 0);
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing outside the redacted spans: the text between markers is the original text', () => {
    fc.assert(
      fc.property(filler, planted, (text, s) => {
        const input = `${text}\n${plantable(s.kind, s.seed)}\n${text}`;
        const out = redactSecrets(input).text;
        // Every piece of the output between markers appears in the input, in order.
        let from = 0;
        for (const piece of out.split(/\[REDACTED:[a-z0-9-]{1,40}\]/)) {
          const at = input.indexOf(piece, from);
          assert.ok(at >= 0, `piece ${JSON.stringify(piece.slice(0, 60))} is not from the input`);
          from = at + piece.length;
        }
      }),
      { numRuns: 300 },
    );
  });
});

import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../src/core/privacy';
import { loadCorpus, type CorpusSample } from '../fixtures/secrets/corpus';
import { GENERATED_KINDS, seededRandom } from '../fixtures/secrets/fakeSecrets';
import { repoRoot } from './helpers';

/** Secrets of the sample still present after redaction, and whether each came out with the right marker. */
function missed(sample: CorpusSample): string[] {
  const out = redactSecrets(sample.input).text;
  return sample.secrets.filter((s) => out.includes(s.value)).map((s) => `${sample.file}: ${s.kind} ${s.value.slice(0, 24)}...`);
}

describe('secret redaction corpus (test/fixtures/secrets)', () => {
  const { positive, negative } = loadCorpus(repoRoot);

  it('covers every kind the fake generator knows, in several file types', () => {
    const kinds = new Set(positive.flatMap((s) => s.secrets.map((x) => x.kind)));
    assert.deepEqual(GENERATED_KINDS.filter((k) => !kinds.has(k)), []);
    assert.ok(positive.length >= 10 && negative.length >= 10, `${positive.length} positive, ${negative.length} negative files`);
  });

  for (const sample of positive) {
    it(`redacts exactly the secrets of ${sample.file}`, () => {
      const r = redactSecrets(sample.input);
      assert.equal(r.text, sample.expected);
      assert.equal(r.redactions, sample.secrets.length);
    });
  }

  for (const sample of negative) {
    it(`leaves ${sample.file} unchanged`, () => {
      const r = redactSecrets(sample.input);
      assert.equal(r.text, sample.input);
      assert.equal(r.redactions, 0);
    });
  }

  it('redacts the secrets generated from 30 other seeds too (generator variety)', () => {
    const misses = [];
    for (let seed = 2; seed <= 31; seed++) misses.push(...loadCorpus(repoRoot, seed).positive.flatMap(missed));
    assert.deepEqual(misses, []);
  });

  it('reports the recall of the high-entropy rule on random values under a neutral name', () => {
    // The one heuristic detector: a random value under a name that does not say "secret". Secrets under
    // secret-like names or with vendor prefixes do not depend on it (the corpus above covers those).
    const rng = seededRandom(7);
    const alphabets: Record<string, string> = {
      base62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
      hex: '0123456789abcdef',
    };
    const recall: string[] = [];
    for (const [name, alphabet] of Object.entries(alphabets)) {
      for (const length of name === 'hex' ? [32, 48] : [20, 32, 40]) {
        let found = 0;
        for (let i = 0; i < 1000; i++) {
          let value = '';
          for (let k = 0; k < length; k++) value += alphabet[Math.floor(rng() * alphabet.length)];
          if (redactSecrets(`UPSTREAM = "${value}"`).redactions === 1) found++;
        }
        recall.push(`${name}/${length}: ${(found / 10).toFixed(1)}%`);
        assert.ok(found >= (length >= 32 ? 900 : 850), `${name}/${length}: ${found}/1000`);
      }
    }
    console.log(`      high-entropy recall (1000 random values each): ${recall.join(', ')}`);
  });

  it('reports false-negative and false-positive figures', () => {
    const planted = positive.reduce((n, s) => n + s.secrets.length, 0);
    const falseNegatives = positive.flatMap(missed).length;
    const negativeLines = negative.reduce((n, s) => n + s.input.split('\n').length, 0);
    const falsePositives = negative.reduce((n, s) => n + redactSecrets(s.input).redactions, 0);
    // Redactions in positive files beyond the planted secrets are false positives too.
    const extra = positive.reduce((n, s) => n + Math.max(0, redactSecrets(s.input).redactions - s.secrets.length), 0);
    console.log(
      `      corpus: ${planted} planted secrets in ${positive.length} files, ${falseNegatives} missed (false-negative rate ` +
        `${((100 * falseNegatives) / planted).toFixed(1)}%); ${falsePositives + extra} false positives in ${negative.length} ` +
        `negative files (${negativeLines} lines) and around the planted secrets (${((1000 * (falsePositives + extra)) / negativeLines).toFixed(1)} per 1000 lines)`,
    );
    assert.equal(falseNegatives, 0);
    assert.equal(falsePositives + extra, 0);
  });
});

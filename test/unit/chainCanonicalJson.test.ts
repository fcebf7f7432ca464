import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError } from '../../src/core/chain/canonicalJson';

/**
 * Reference: the definition written plainly (sorted entries, JSON.stringify for leaves). Not an object
 * rebuilt with sorted keys: JS objects always list integer-like keys ("0") first, canonical JSON must not.
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(Object.is(value, -0) ? 0 : value);
}

describe('chain: canonical JSON', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('matches the RFC 8785 sample', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    assert.equal(canonicalJson(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('orders keys by UTF-16 code units, not by locale, integer-like keys included', () => {
    assert.equal(canonicalJson({ é: 1, z: 2, Z: 3, '\u{1F600}': 4, a: 5 }), '{"Z":3,"a":5,"z":2,"é":1,"\u{1F600}":4}');
    assert.equal(canonicalJson({ '10': 1, '9': 2, '': 3 }), '{"":3,"10":1,"9":2}');
  });

  it('omits undefined members, writes -0 as 0, escapes lone surrogates deterministically', () => {
    assert.equal(canonicalJson({ a: undefined, b: -0, c: '\ud800' }), '{"b":0,"c":"\\ud800"}');
  });

  it('refuses values without a JSON form', () => {
    for (const bad of [NaN, Infinity, 10n, () => 1, Symbol('s')]) {
      assert.throws(() => canonicalJson({ x: bad }), CanonicalJsonError);
    }
    assert.throws(() => canonicalJson(undefined), CanonicalJsonError);
  });

  it('equals the sorted-key JSON.stringify reference and round-trips, for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        assert.equal(text, reference(value));
        assert.equal(canonicalJson(JSON.parse(text)), text);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order keys were inserted (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        assert.equal(canonicalJson(reversed), canonicalJson(dict));
      }),
      { numRuns: 200 },
    );
  });
});

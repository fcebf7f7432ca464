import * as assert from 'node:assert/strict';
import { reciprocalRankFusion, RRF_K } from '../../src/server/search/rrf';
import { identifierParts, searchDocument, splitIdentifiers } from '../../src/server/search/searchDocument';
import { queryTerms } from '../../src/server/search/lexicalSearch';
import { embeddingConfigFromEnv } from '../../src/server/search/plusSearch';

describe('search: reciprocal rank fusion', () => {
  it('scores 1 / (k + rank) summed over the lists', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    const score = Object.fromEntries(fused.map((f) => [f.key, f.score]));
    assert.equal(score.a, 1 / (RRF_K + 1) + 1 / (RRF_K + 2));
    assert.equal(score.b, 1 / (RRF_K + 2));
    assert.equal(score.c, 1 / (RRF_K + 3) + 1 / (RRF_K + 1));
    assert.deepEqual(
      fused.map((f) => f.key),
      ['a', 'c', 'b'],
    );
    assert.deepEqual(fused.find((f) => f.key === 'b')!.ranks, [2, undefined]);
  });

  it('puts an item both lists rank moderately above one a single list ranks first', () => {
    const fused = reciprocalRankFusion([
      ['x', 'both'],
      ['y', 'both'],
    ]);
    assert.equal(fused[0]!.key, 'both');
  });

  it('keeps first-appearance order on ties, counts a repeated item once per list, and handles empty lists', () => {
    assert.deepEqual(
      reciprocalRankFusion([['p'], ['q']]).map((f) => f.key),
      ['p', 'q'],
    );
    const dup = reciprocalRankFusion([['a', 'a', 'b']]);
    assert.equal(dup.find((f) => f.key === 'a')!.score, 1 / (RRF_K + 1));
    assert.deepEqual(reciprocalRankFusion([[], []]), []);
    assert.throws(() => reciprocalRankFusion([['a']], -1), RangeError);
    const weighted = reciprocalRankFusion([['a'], ['b']], 60, [1, 0.5]);
    assert.deepEqual(weighted.map((f) => [f.key, f.score]), [['a', 1 / 61], ['b', 0.5 / 61]]);
  });

  it('uses k: a small k lets the top ranks dominate', () => {
    const lists = [
      ['a', 'b', 'c', 'd'],
      ['d', 'c', 'b', 'a'],
    ];
    // With k = 0 the first places weigh most (a and d tie ahead); with k = 60 all four are close.
    const k0 = reciprocalRankFusion(lists, 0);
    assert.ok(k0[0]!.score - k0[3]!.score > 0.4);
    const k60 = reciprocalRankFusion(lists, 60);
    assert.ok(k60[0]!.score - k60[3]!.score < 0.001);
  });
});

describe('search: documents and query terms', () => {
  it('splits identifiers into their parts next to the identifier', () => {
    assert.deepEqual(identifierParts('parseUserToken'), ['parse', 'user', 'token']);
    assert.deepEqual(identifierParts('MAX_RETRY_COUNT'), ['max', 'retry', 'count']);
    assert.deepEqual(identifierParts('HTTPServer2'), ['http', 'server2']);
    assert.equal(splitIdentifiers('x = parseUserToken(h)'), 'x = parseUserToken parse user token(h)');
  });

  it('builds path words, distinct trigram words and caps sizes', () => {
    const d = searchDocument({ path: 'src/auth/tokenStore.ts', prompt: 'store the token', code: 'tokenStore.put(token); tokenStore.put(token)' });
    assert.equal(d.path, 'src auth tokenStore token store ts');
    assert.deepEqual(d.words.split(' ').sort(), ['auth', 'put', 'src', 'store', 'the', 'token', 'tokenstore'].sort());
    assert.ok(searchDocument({ path: null, prompt: '', code: 'parseUserToken()' }).words.split(' ').includes('user'));
    const huge = searchDocument({ path: null, prompt: '', code: Array.from({ length: 5000 }, (_, i) => `ident${i}`).join(' ') });
    assert.ok(huge.words.length <= 4000);
  });

  it('turns any user text into safe OR terms', () => {
    const t = queryTerms(`parseUserToken OR "x" -- ' ; DROP TABLE records; \\ :* & |`);
    assert.equal(t.tsText, 'parseusertoken or parse or user or token or x or drop or table or records');
    assert.deepEqual(t.trigram, ['parseusertoken', 'drop', 'table', 'records']);
    assert.equal(t.allText, 'parseusertoken x drop table records');
    assert.deepEqual(queryTerms('?? !!'), { tsText: '', allText: '', trigram: [] });
  });
});

describe('search: embeddings configuration', () => {
  it('is off without variables, needs url and model together, and validates them', () => {
    assert.equal(embeddingConfigFromEnv({}), null);
    assert.deepEqual(embeddingConfigFromEnv({ LINEAGELENS_EMBEDDINGS_URL: 'http://127.0.0.1:11434/v1/embeddings', LINEAGELENS_EMBEDDINGS_MODEL: 'nomic-embed-text' }), {
      url: 'http://127.0.0.1:11434/v1/embeddings',
      model: 'nomic-embed-text',
      apiKey: undefined,
    });
    assert.throws(() => embeddingConfigFromEnv({ LINEAGELENS_EMBEDDINGS_MODEL: 'm' }), /needs both/);
    assert.throws(() => embeddingConfigFromEnv({ LINEAGELENS_EMBEDDINGS_URL: 'file:///etc/passwd', LINEAGELENS_EMBEDDINGS_MODEL: 'm' }), /LINEAGELENS_EMBEDDINGS_URL/);
  });
});

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each list gives an item 1 / (k + rank)
 * (rank from 1), and the sums decide the fused order. It needs no score calibration between lists, which
 * is why lexical ranks (ts_rank) and cosine distances can be fused without pretending they share a scale.
 */
export const RRF_K = 60;

export interface FusedItem<T> {
  key: T;
  score: number;
  /** 1-based rank of the item in each input list (undefined where the list did not have it). */
  ranks: (number | undefined)[];
}

/**
 * Fuses ranked lists (best first); ties keep the order of first appearance across the lists. `weights`
 * (default 1 each) scale a list's contributions, for a list that should only nudge the order.
 */
export function reciprocalRankFusion<T>(lists: readonly (readonly T[])[], k: number = RRF_K, weights?: readonly number[]): FusedItem<T>[] {
  if (!(k >= 0)) throw new RangeError(`rrf k must be >= 0, got ${k}`);
  const byKey = new Map<T, FusedItem<T> & { first: number }>();
  let seen = 0;
  lists.forEach((list, li) => {
    list.forEach((key, i) => {
      let item = byKey.get(key);
      if (!item) {
        item = { key, score: 0, ranks: new Array<number | undefined>(lists.length).fill(undefined), first: seen++ };
        byKey.set(key, item);
      }
      if (item.ranks[li] !== undefined) return; // a list naming an item twice counts its best rank only
      item.ranks[li] = i + 1;
      item.score += (weights?.[li] ?? 1) / (k + i + 1);
    });
  });
  return [...byKey.values()].sort((a, b) => b.score - a.score || a.first - b.first).map(({ key, score, ranks }) => ({ key, score, ranks }));
}

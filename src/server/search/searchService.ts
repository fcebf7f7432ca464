/**
 * Search for the PostgreSQL backend: lexical (full-text + trigram), semantic (pgvector cosine over
 * embeddings from the configured endpoint), and hybrid = reciprocal rank fusion of the two.
 *
 * Semantic search is offered only when it is real: an embeddings endpoint is configured, pgvector is
 * enabled, vectors of the configured model exist, and the query could be embedded. Otherwise the answer
 * is lexical and says why (`semantic: { available: false, reason }`) — there is never a made-up
 * semantic score.
 */
import type { Pool } from 'pg';
import type { SemanticIndex } from '../pg/semanticIndex';
import type { EmbeddingClient } from './embeddingClient';
import { lexicalSearch } from './lexicalSearch';
import { reciprocalRankFusion, RRF_K } from './rrf';

export type SearchMode = 'hybrid' | 'lexical' | 'semantic';

export interface SearchRequest {
  orgId: number;
  text: string;
  /** Default hybrid. */
  mode?: SearchMode;
  limit: number;
  repo?: string;
  /**
   * A SQL predicate on a records row `r` (the caller's read scope, access/scopeSql.ts): records outside
   * it are never ranked, so neither their ids nor their count reach the caller.
   */
  within?: string;
}

export interface SearchHit {
  id: string;
  /** The fused RRF score (hybrid), or the list's own order as 1 / (k + rank). */
  score: number;
  lexicalRank?: number;
  semanticRank?: number;
  /** Cosine distance (0 = same direction) when the semantic list had the record. */
  distance?: number;
}

export type SemanticStatus = { available: true; model: string } | { available: false; reason: string };

export interface SearchResult {
  /** What was actually run (hybrid or semantic fall back to lexical when semantic is unavailable). */
  mode: SearchMode;
  semantic: SemanticStatus;
  hits: SearchHit[];
  /** The lexical list ranked only the newest matches (lexicalSearch.ts, RANKED_CANDIDATES). */
  lexicalBounded?: boolean;
}

export interface SemanticSetup {
  client: EmbeddingClient;
  index: SemanticIndex;
}

export interface SearchServiceOptions {
  /** null: no semantic search, for `unavailableReason`. */
  semantic: SemanticSetup | null;
  unavailableReason?: string;
  /** A query embedding must arrive within this. Default 2 s (search is interactive). */
  queryTimeoutMs?: number;
}

interface SemanticOutcome {
  status: SemanticStatus;
  /** Set when the semantic list was computed. */
  hits?: { id: string; distance: number }[];
}

/** Semantic candidates fetched per requested hit, so fusion has something to work with. */
const CANDIDATES = 100;

export class SearchService {
  constructor(
    private readonly pool: Pool,
    private readonly o: SearchServiceOptions,
  ) {}

  async search(req: SearchRequest): Promise<SearchResult> {
    const mode = req.mode ?? 'hybrid';
    const candidates = Math.max(req.limit, CANDIDATES);
    const lexical = mode === 'semantic' ? null : lexicalSearch(this.pool, req.text, { orgId: req.orgId, limit: candidates, repo: req.repo, within: req.within });
    // Both run at once; a failed query embedding costs no lexical time.
    lexical?.catch(() => undefined);
    const semantic = mode === 'lexical' ? null : await this.semanticHits(req, candidates);
    const lexResult = lexical ? await lexical : null;
    const lex = lexResult?.hits ?? null;
    const lexicalBounded = lexResult?.bounded ? { lexicalBounded: true } : {};

    if (semantic?.hits) {
      if (!lex) return { mode: 'semantic', semantic: semantic.status, hits: semantic.hits.slice(0, req.limit).map((h, i) => ({ ...h, score: 1 / (RRF_K + i + 1), semanticRank: i + 1 })) };
      const distance = new Map(semantic.hits.map((h) => [h.id, h.distance]));
      const hits = reciprocalRankFusion([lex.map((h) => h.id), semantic.hits.map((h) => h.id)])
        .slice(0, req.limit)
        .map(({ key, score, ranks }) => ({ id: key, score, lexicalRank: ranks[0], semanticRank: ranks[1], distance: distance.get(key) }));
      return { mode: 'hybrid', semantic: semantic.status, hits, ...lexicalBounded };
    }
    const status: SemanticStatus = semantic ? semantic.status : await this.status();
    const fallback = lexResult ?? (await lexicalSearch(this.pool, req.text, { orgId: req.orgId, limit: req.limit, repo: req.repo, within: req.within }));
    const hits = fallback.hits.slice(0, req.limit).map((h, i) => ({ id: h.id, score: 1 / (RRF_K + i + 1), lexicalRank: i + 1 }));
    return { mode: 'lexical', semantic: status, hits, ...(fallback.bounded ? { lexicalBounded: true } : {}) };
  }

  /** Whether semantic search can run now, and if not why (for the API's and the dashboard's notice). */
  async status(): Promise<SemanticStatus> {
    const s = this.o.semantic;
    if (!s) return { available: false, reason: this.o.unavailableReason ?? 'no embeddings endpoint is configured: lexical search only' };
    const state = await s.index.currentState();
    if (!state) return { available: false, reason: 'no record has been embedded yet: lexical search only until the embedding queue has run' };
    if (state.model !== s.client.model) return { available: false, reason: `the stored vectors are of model ${state.model}; records are being re-embedded with ${s.client.model}` };
    return { available: true, model: s.client.model };
  }

  private async semanticHits(req: SearchRequest, candidates: number): Promise<SemanticOutcome> {
    const status = await this.status();
    if (!status.available) return { status };
    const s = this.o.semantic!;
    let vector: number[];
    try {
      [vector] = (await s.client.embed([req.text.slice(0, 2000)], { timeoutMs: this.o.queryTimeoutMs ?? 2_000, attempts: 1 })) as [number[]];
    } catch (err) {
      return { status: { available: false, reason: `the query could not be embedded (${(err as Error).message}): lexical results only` } };
    }
    const rows = await s.index.nearest(vector, { orgId: req.orgId, model: s.client.model, limit: candidates, repo: req.repo, within: req.within });
    return { status, hits: rows.map((r) => ({ id: r.recordId, distance: r.distance })) };
  }
}

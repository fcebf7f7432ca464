/**
 * Per-token rate limit: a token bucket per key (token id, or client address for unauthenticated
 * requests), refilled continuously. Buckets idle long enough to be full again are forgotten, so the map
 * stays small however many keys a hostile client invents.
 */
export interface RateLimitOptions {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed in a burst. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when the request may go ahead; else the seconds to wait. */
  take(key: string): number {
    const t = this.now();
    this.sweep(t);
    const { perSecond, burst } = this.options;
    const b = this.buckets.get(key) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perSecond);
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < 10_000) return;
    this.lastSweep = t;
    const fullAfterMs = (this.options.burst / this.options.perSecond) * 1000;
    for (const [key, b] of this.buckets) if (t - b.at > fullAfterMs) this.buckets.delete(key);
  }
}

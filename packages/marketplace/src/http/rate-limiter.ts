/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per minute, on average. */
  perMinute: number;
  /** Requests allowed in a burst. Default: `perMinute`. */
  burst?: number;
  /** Keys remembered at most (the oldest are forgotten first). Default 100,000. */
  maxKeys?: number;
  /** The clock, in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/** A token bucket per key (an address, a token id). */
export interface RateLimiter {
  /** Takes one request from `key`'s bucket: undefined when allowed, else the seconds to wait. */
  take(key: string): number | undefined;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Makes a rate limiter: each key refills `perMinute` requests a minute, up to `burst`. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const burst = options.burst ?? options.perMinute;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? (() => performance.now());
  const perMillisecond = options.perMinute / 60_000;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const time = now();
      const bucket = buckets.get(key) ?? { tokens: burst, updatedAt: time };
      buckets.delete(key);
      bucket.tokens = Math.min(burst, bucket.tokens + (time - bucket.updatedAt) * perMillisecond);
      bucket.updatedAt = time;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMillisecond / 1000));
    },
  };
}

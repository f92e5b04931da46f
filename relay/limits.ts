/**
 * Token buckets, keyed (by client IP, IP + workspace, connection…), with a bounded number of
 * keys so that a flood of distinct keys cannot grow memory without limit. Time comes from a
 * clock passed in (the process's monotonic one by default), so tests move it by hand.
 */

/** Milliseconds on a clock that never goes back. */
export type Clock = () => number;

const monotonic: Clock = () => performance.now();

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  /** `rate` tokens per second, at most `burst` saved up, for at most `maxKeys` keys at once. */
  constructor(
    rate: number,
    burst: number,
    { maxKeys = 100_000, clock = monotonic }: { maxKeys?: number; clock?: Clock } = {},
  ) {
    this.#rate = rate;
    this.#burst = burst;
    this.#maxKeys = maxKeys;
    this.#clock = clock;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens for `key`. Returns 0 when allowed, otherwise how many milliseconds to
   * wait until `cost` tokens will be there (nothing is taken then).
   */
  take(key: string, cost = 1): number {
    const now = this.#clock();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + ((now - bucket.at) / 1000) * this.#rate,
      );
      bucket.at = now;
      // Re-insert so that Map order is least-recently-used first (eviction takes from the front).
      this.#buckets.delete(key);
    } else {
      bucket = { tokens: this.#burst, at: now };
      if (this.#buckets.size >= this.#maxKeys) this.#evict(now);
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - bucket.tokens) / this.#rate) * 1000);
  }

  /** Drops buckets that have refilled (forgetting them changes nothing), then the oldest. */
  #evict(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#rate >= this.#burst) {
        this.#buckets.delete(key);
      }
    }
    const excess = this.#buckets.size - Math.floor(this.#maxKeys * 0.9);
    if (excess <= 0) return;
    let n = 0;
    for (const key of this.#buckets.keys()) {
      if (n++ >= excess) break;
      this.#buckets.delete(key);
    }
  }
}

/** Retry-After header value (whole seconds, at least 1) for a wait in milliseconds. */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

/** One token bucket, for a single connection's messages. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(rate: number, burst: number, clock: Clock = monotonic) {
    this.#rate = rate;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#at = clock();
  }

  /** Takes `cost` tokens if there are that many. */
  take(cost = 1): boolean {
    const now = this.#clock();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

/**
 * Open connections per client address, each address held to its share: one address cannot take
 * every connection the relay allows and lock the others out. `open` answers false when the
 * address already holds its share; `close` gives one back.
 */
export class ConnectionShare {
  readonly #share: number;
  readonly #open = new Map<string, number>();

  constructor(share: number) {
    this.#share = share;
  }

  open(address: string): boolean {
    const held = this.#open.get(address) ?? 0;
    if (held >= this.#share) return false;
    this.#open.set(address, held + 1);
    return true;
  }

  close(address: string): void {
    const held = this.#open.get(address) ?? 0;
    if (held <= 1) this.#open.delete(address);
    else this.#open.set(address, held - 1);
  }
}

/**
 * A budget of bytes shared by requests that hold large bodies in memory: a request reserves
 * what it will hold, waiting (first come, first served) while the budget is spent, for at most
 * `waitMs`; `release` gives it back.
 */
export class MemoryBudget {
  readonly #bytes: number;
  #used = 0;
  readonly #waiting: { bytes: number; admit: () => void }[] = [];

  constructor(bytes: number) {
    this.#bytes = bytes;
  }

  /** Resolves true once `bytes` are reserved, false when none came free within `waitMs`. */
  reserve(bytes: number, waitMs: number): Promise<boolean> {
    if (this.#waiting.length === 0 && this.#used + bytes <= this.#bytes) {
      this.#used += bytes;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = {
        bytes,
        admit: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        resolve(false);
        this.#admit();
      }, waitMs);
      this.#waiting.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#used -= bytes;
    this.#admit();
  }

  #admit(): void {
    for (let next = this.#waiting[0]; next && this.#used + next.bytes <= this.#bytes;) {
      this.#waiting.shift();
      this.#used += next.bytes;
      next.admit();
      next = this.#waiting[0];
    }
  }
}

/** Token buckets per key (client address, account and address), held in this process's memory. */

/** What `take` answers: allowed, or refused with the whole seconds until a token is back. */
export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Buckets of `capacity` tokens refilled at `capacity` per `windowSeconds`, created full on first use. The
 * dashboard is one Node process, so memory is the right place: a restart forgets every bucket, as Auth's do.
 */
export class TokenBuckets {
  readonly capacity: number;
  readonly #perSecond: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  #takes = 0;

  constructor(capacity: number, windowSeconds: number, now: () => number = Date.now) {
    this.capacity = capacity;
    this.#perSecond = capacity / windowSeconds;
    this.#now = now;
  }

  /** Takes one token from the key's bucket. */
  take(key: string): Take {
    const now = this.#now();
    if (++this.#takes % 1024 === 0) this.#forgetFull(now);
    const b = this.#refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#perSecond)) };
  }

  /** Gives one token back (a reservation that turned out not to count), never above capacity. */
  give(key: string): void {
    const b = this.#buckets.get(key);
    if (b) b.tokens = Math.min(this.capacity, b.tokens + 1);
  }

  /** Forgets the key's bucket, so its next take finds it full. */
  reset(key: string): void {
    this.#buckets.delete(key);
  }

  #refilled(key: string, now: number): Bucket {
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: this.capacity, at: now };
      this.#buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.#perSecond);
    b.at = now;
    return b;
  }

  // A full bucket is the same as none, so memory stays bounded by the keys active in the last window.
  #forgetFull(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.#perSecond >= this.capacity) this.#buckets.delete(key);
    }
  }
}

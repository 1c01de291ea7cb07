/**
 * Failed password sign-ins slow down per account without letting anyone lock the owner out.
 * GoTrue has no such guard (only its per-address buckets); the local server adds two, keyed on the
 * lower-cased email whether or not the account exists (so the throttle says nothing about existence):
 *
 * 1. Per account AND address: 5 wrong passwords per 5 minutes (a bucket of 5 refilled at one per minute).
 *    The next attempt for that account from that address is refused with 429 over_request_rate_limit and
 *    Retry-After, before the password is checked. Other addresses are not affected, so a burst from an
 *    attacker cannot lock the owner out. A token is taken before the check (concurrent guesses cannot
 *    slip past) and given back when the sign-in succeeds, which also forgets the address's failures.
 * 2. Per account, from any address: a failure count that decays by one every 30 seconds. Above 10, every
 *    password attempt for the account waits 250 ms per failure over 10, at most 2 s, before the check.
 *    This is added latency, never a refusal: the owner still signs in, a little slower, while the
 *    account is under attack from many addresses.
 */
import { overRequestRateLimit } from './errors.ts';
import { TokenBuckets } from './token-bucket.ts';

/** Wrong passwords one address may try per account before it is refused. */
export const FAILURES_PER_ADDRESS = 5;
/** The per-address window those failures are counted over, in seconds. */
export const FAILURE_WINDOW_SECONDS = 300;
/** Account-wide failures (decaying) before attempts are slowed down. */
export const SLOWDOWN_AFTER = 10;
/** Delay per account-wide failure above SLOWDOWN_AFTER. */
export const SLOWDOWN_STEP_MS = 250;
/** The most one attempt waits. */
export const SLOWDOWN_MAX_MS = 2000;
/** How fast account-wide failures are forgotten: one per 30 seconds (10 per 5 minutes). */
const DECAY_PER_SECOND = 1 / 30;

/** One password attempt in progress: report how it ended exactly once; anything else releases its reservation. */
export interface LoginAttempt {
  /** Wrong password or unknown account: counts for the address and the account. */
  failed(): void;
  /** Correct password: the address's failures for the account are forgotten. */
  succeeded(): void;
  /** Ended for another reason (banned, server error): counts nowhere. */
  release(): void;
}

interface Decaying {
  count: number;
  at: number;
}

/** The throttle of one Auth server. */
export class LoginThrottle {
  readonly #perAddress = new TokenBuckets(FAILURES_PER_ADDRESS, FAILURES_PER_ADDRESS / FAILURE_WINDOW_SECONDS);
  readonly #accounts = new Map<string, Decaying>();
  readonly #now: () => number;
  #ops = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The delay an attempt on this account waits now, in milliseconds. */
  slowdownMs(email: string): number {
    const over = Math.floor(this.#failures(email.toLowerCase())) - SLOWDOWN_AFTER;
    return over > 0 ? Math.min(SLOWDOWN_MAX_MS, over * SLOWDOWN_STEP_MS) : 0;
  }

  /** Starts an attempt: 429 when this address has used up its failures for the account, else waits the account's slowdown. */
  async begin(email: string, address: string): Promise<LoginAttempt> {
    const account = email.toLowerCase();
    const key = `${address}\u0000${account}`;
    const taken = this.#perAddress.take(key);
    if (!taken.ok) throw overRequestRateLimit(taken.retryAfterSeconds);
    const delay = this.slowdownMs(account);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    let open = true;
    const end = (fn: () => void) => () => {
      if (!open) return;
      open = false;
      fn();
    };
    return {
      failed: end(() => this.#fail(account)),
      succeeded: end(() => this.#perAddress.reset(key)),
      release: end(() => this.#perAddress.give(key)),
    };
  }

  #failures(account: string): number {
    const d = this.#accounts.get(account);
    if (!d) return 0;
    const now = this.#now();
    d.count = Math.max(0, d.count - ((now - d.at) / 1000) * DECAY_PER_SECOND);
    d.at = now;
    return d.count;
  }

  #fail(account: string): void {
    if (++this.#ops % 1024 === 0) this.#forgetDecayed();
    const count = this.#failures(account);
    this.#accounts.set(account, { count: count + 1, at: this.#now() });
  }

  #forgetDecayed(): void {
    const now = this.#now();
    for (const [account, d] of this.#accounts) {
      if (d.count - ((now - d.at) / 1000) * DECAY_PER_SECOND <= 0) this.#accounts.delete(account);
    }
  }
}

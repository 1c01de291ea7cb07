/**
 * The dashboard's own limits on signing in, counted per visitor address before Auth is called.
 *
 * The form actions call Auth from this server, so without SUPABASE_SECRET_KEY Auth sees one address (this
 * server's) for every visitor: its per-address buckets and its per-(account, address) throttle would be
 * shared by all of them. These limits sit below Auth's, per visitor, so one visitor can neither drain the
 * server's Auth budget nor, with wrong passwords, drive Auth's throttle for an account to a lock-out.
 * Auth's defaults (supabase/config.toml, hosted GoTrue): `token_refresh` 150 per 5 minutes in a bucket of
 * 30, shared by password and refresh grants; `sign_in_sign_ups` 30; 5 wrong passwords per account and
 * address per 5 minutes (the local stack's throttle).
 */
import { m } from '#lib/paraglide/messages.js';
import { TokenBuckets, type Take } from './token-buckets.ts';

const FIVE_MINUTES = 300;

/** Sign-in form posts per visitor address: 10 per 5 minutes (with refreshes, below Auth's bucket of 30). */
export const signIns = new TokenBuckets(10, FIVE_MINUTES);
/** Token refreshes this server makes per visitor address: 15 per 5 minutes (a session refreshes about hourly). */
export const refreshes = new TokenBuckets(15, FIVE_MINUTES);
/** Sign-up form posts per visitor address: 5 per 5 minutes (Auth's `sign_in_sign_ups` bucket holds 30). */
export const signUps = new TokenBuckets(5, FIVE_MINUTES);
/**
 * Wrong passwords per account and visitor address: 4 per 5 minutes, one below Auth's 5, so a single visitor
 * cannot empty Auth's per-(account, this server) bucket, and refilled more slowly than Auth's (0.8 against
 * 1 a minute), so steady guessing cannot empty it either.
 */
export const wrongPasswords = new TokenBuckets(4, FIVE_MINUTES);

/** A refusal by one of these limits, or by Auth's: the answer is 429 with Retry-After when the wait is known. */
export class TooManyAttempts extends Error {
  constructor(
    readonly retryAfterSeconds: number | null,
    message: string,
  ) {
    super(message);
  }
}

const wait = (seconds: number | null) => (seconds === null ? m.wait_minutes() : m.wait_seconds({ count: seconds }));
const attempts = (what: 'sign-in' | 'sign-up') => (what === 'sign-in' ? m.what_sign_in() : m.what_sign_up());

/** The refusal for this server's own limits. */
export function refusedHere(taken: Take & { ok: false }, what: 'sign-in' | 'sign-up'): TooManyAttempts {
  const s = taken.retryAfterSeconds;
  return new TooManyAttempts(s, m.too_many_here({ what: attempts(what), wait: wait(s) }));
}

/** The refusal when Auth answered 429 (its Retry-After, when it sent one: hosted GoTrue does not). */
export function refusedByAuth(retryAfterSeconds: number | null, what: 'sign-in' | 'sign-up'): TooManyAttempts {
  return new TooManyAttempts(
    retryAfterSeconds,
    m.too_many_auth({ what: attempts(what), wait: wait(retryAfterSeconds) }),
  );
}

/** One password sign-in in progress for (account, address): report how it ended once. */
export interface PasswordAttempt {
  /** Wrong password (invalid_credentials): the reserved token stays spent. */
  failed(): void;
  /** Correct password: the address's failures for the account are forgotten. */
  succeeded(): void;
  /** Ended another way (Auth refused or failed): counts nowhere. */
  release(): void;
}

const uncounted: PasswordAttempt = { failed() {}, succeeded() {}, release() {} };

/**
 * Starts a password sign-in: counts the post against the visitor's address, then reserves one of the
 * account's wrong-password tokens for that address (taken before Auth answers, so parallel guesses cannot
 * slip past). Throws TooManyAttempts when either is used up. `limited` false (SIGN_IN_LIMITS=off) counts nothing.
 */
export function beginPasswordAttempt(email: string, address: string, limited = true): PasswordAttempt {
  if (!limited) return uncounted;
  const post = signIns.take(address);
  if (!post.ok) throw refusedHere(post, 'sign-in');
  const key = `${address}\u0000${email.toLowerCase()}`;
  const guess = wrongPasswords.take(key);
  if (!guess.ok) throw refusedHere(guess, 'sign-in');
  let open = true;
  const end = (fn: () => void) => () => {
    if (!open) return;
    open = false;
    fn();
  };
  return {
    failed: end(() => {}),
    succeeded: end(() => wrongPasswords.reset(key)),
    release: end(() => wrongPasswords.give(key)),
  };
}

/** Counts a sign-up post against the visitor's address; throws TooManyAttempts when used up. */
export function countSignUp(address: string, limited = true): void {
  if (!limited) return;
  const taken = signUps.take(address);
  if (!taken.ok) throw refusedHere(taken, 'sign-up');
}

/** Realtime's abuse limits (hosted tenant limits as the reference) and the per-second counter they use. */
import { readLimits } from '../env-limits.ts';

/** What one client may hold and how fast it may join; defaults follow hosted Realtime's tenant defaults. */
export interface RealtimeLimits {
  /** Joins one socket may send per second (hosted `max_joins_per_second`, 100); more are refused and the socket is closed. */
  maxJoinsPerSecond: number;
  /**
   * Joins all sockets together may send per second (hosted counts `max_joins_per_second` per tenant, and one
   * stack is one tenant); over it, joins are refused as above and new sockets get 429 until the second is over.
   */
  maxJoinsPerSecondOverall: number;
  /** Channels one socket may hold, joining ones included (hosted `max_channels_per_client`, 100). */
  maxChannelsPerClient: number;
  /** Open sockets overall (hosted `max_concurrent_users`, 200). */
  maxConcurrentUsers: number;
  /** Open sockets from one client address (no hosted counterpart: hosted sits behind a per-IP edge). */
  maxSocketsPerAddress: number;
  /** Postgres connections that run private-channel authorization, apart from the pool REST and Auth use. */
  authPoolSize: number;
  /** Authorization checks that may wait for one of those connections; beyond this, joins are refused at once. */
  authQueueLength: number;
}

/** Environment variable of each limit. */
export const REALTIME_LIMIT_ENV: Record<keyof RealtimeLimits, string> = {
  maxJoinsPerSecond: 'VIBE_REALTIME_MAX_JOINS_PER_SECOND',
  maxJoinsPerSecondOverall: 'VIBE_REALTIME_MAX_JOINS_PER_SECOND_OVERALL',
  maxChannelsPerClient: 'VIBE_REALTIME_MAX_CHANNELS_PER_CLIENT',
  maxConcurrentUsers: 'VIBE_REALTIME_MAX_CONCURRENT_USERS',
  maxSocketsPerAddress: 'VIBE_REALTIME_MAX_SOCKETS_PER_ADDRESS',
  authPoolSize: 'VIBE_REALTIME_AUTH_POOL_SIZE',
  authQueueLength: 'VIBE_REALTIME_AUTH_QUEUE_LENGTH',
};

/** The defaults: hosted's tenant defaults where hosted has the limit. */
export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = Object.freeze({
  maxJoinsPerSecond: 100,
  // hosted's tenant default is 100, averaged over a minute so bursts pass; a 1 s window needs more headroom
  // for parallel test files and a dashboard opening many channels at once
  maxJoinsPerSecondOverall: 500,
  maxChannelsPerClient: 100,
  maxConcurrentUsers: 200,
  maxSocketsPerAddress: 150,
  authPoolSize: 3,
  authQueueLength: 100,
});

/** Reads the limits from the environment; a bad value stops the start with a message naming the variable. */
export function realtimeLimits(env: NodeJS.ProcessEnv = process.env): RealtimeLimits {
  return readLimits(DEFAULT_REALTIME_LIMITS, REALTIME_LIMIT_ENV, env);
}

/** Counts events in the current one-second window. */
export class PerSecond {
  private windowStart = 0;
  private count = 0;

  /** Counts one event; false when it is over `limit` in this second. */
  take(limit: number, now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    return this.count <= limit;
  }

  /** Whether this second's count is already over `limit` (without counting). */
  over(limit: number, now = Date.now()): boolean {
    return now - this.windowStart < 1000 && this.count > limit;
  }
}

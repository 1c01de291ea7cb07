/** The gateway's limits against slow or flooding clients, with their environment variables. */
import { readLimits } from '../env-limits.ts';

/** Timeouts and connection caps of the gateway port. */
export interface GatewayLimits {
  /** Time a client has to send the request line and headers (Node `headersTimeout`); then 408 and close. */
  headersTimeoutMs: number;
  /** A request body with no new bytes for this long is cut off with 408. */
  bodyIdleTimeoutMs: number;
  /** A request body still arriving after this long is cut off with 408, however steadily it trickles in. */
  bodyTimeoutMs: number;
  /** Open connections (WebSockets included) from one client address; more are answered 429 and closed. */
  maxConnectionsPerAddress: number;
  /** Open connections overall; more are answered 429 and closed. */
  maxConnections: number;
}

/** Environment variable of each limit. */
export const GATEWAY_LIMIT_ENV: Record<keyof GatewayLimits, string> = {
  headersTimeoutMs: 'VIBE_GATEWAY_HEADERS_TIMEOUT_MS',
  bodyIdleTimeoutMs: 'VIBE_GATEWAY_BODY_IDLE_TIMEOUT_MS',
  bodyTimeoutMs: 'VIBE_GATEWAY_BODY_TIMEOUT_MS',
  maxConnectionsPerAddress: 'VIBE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS',
  maxConnections: 'VIBE_GATEWAY_MAX_CONNECTIONS',
};

/** Defaults: generous for 1,000 local agents on one address, tight enough that a flood cannot grow memory without end. */
export const DEFAULT_GATEWAY_LIMITS: Readonly<GatewayLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
  maxConnectionsPerAddress: 2_048,
  maxConnections: 8_192,
});

/** Reads the limits from the environment; a bad value stops the start with a message naming the variable. */
export function gatewayLimits(env: NodeJS.ProcessEnv = process.env): GatewayLimits {
  return readLimits(DEFAULT_GATEWAY_LIMITS, GATEWAY_LIMIT_ENV, env);
}

/** Runs a channel's request through the transport and turns the answer into a SendResult. */
import type { OutgoingRequest, SendResult, Transport } from './types.ts';
import { ChannelConfigError } from './types.ts';

/** Thrown by the transport when the destination check refuses a URL; never retried. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

/** 2xx is sent; 408, 425, 429 and 5xx are retried; other 4xx are permanent (the request itself is wrong). */
export function classifyStatus(status: number, body: string, what: string): SendResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  const retry = status === 408 || status === 425 || status === 429 || status >= 500;
  const hint = status >= 300 && status < 400 ? ' (redirects are not followed: use the final URL)' : '';
  return {
    ok: false,
    status,
    permanent: !retry,
    code: 'http_error',
    error: `${what} answered HTTP ${status}${hint}: ${body.slice(0, 300)}`,
  };
}

/** The scheme, host and port of a URL (no path: webhook paths often hold tokens). */
function destinationOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** Builds the request (config errors become permanent failures) and sends it. */
export async function deliver(
  build: () => OutgoingRequest | Promise<OutgoingRequest>,
  transport: Transport,
): Promise<SendResult> {
  let request: OutgoingRequest;
  try {
    request = await build();
  } catch (err) {
    if (err instanceof ChannelConfigError)
      return { ok: false, permanent: true, code: 'channel_config', error: err.message };
    throw err;
  }
  try {
    const res = await transport(request);
    return classifyStatus(res.status, res.body, request.what);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof DestinationRefused)
      return { ok: false, permanent: true, code: 'destination_blocked', error: msg };
    // The destination is named for admins (notification_error_details); members see only the code.
    const where = destinationOf(request.url);
    if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
      return {
        ok: false,
        permanent: false,
        code: 'timeout',
        error: `${request.what} at ${where} did not answer in time: ${msg}`,
      };
    }
    return {
      ok: false,
      permanent: false,
      code: 'unreachable',
      error: `Cannot reach ${request.what} at ${where}: ${msg}`,
    };
  }
}

/** A string setting from the channel config, or a ChannelConfigError naming it. */
export function requireString(config: Record<string, unknown>, key: string, hint: string): string {
  const v = config[key];
  if (typeof v !== 'string' || v.trim() === '') throw new ChannelConfigError(`Channel secrets lack "${key}": ${hint}`);
  return v.trim();
}

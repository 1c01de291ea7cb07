/**
 * The HTTP transport for channels: destination check (https, public addresses), no redirects, a timeout. Deno only.
 * VIBE_PROVIDER_API_BASE (tests only) moves the fixed provider APIs to a local receiver (provider-base.ts).
 */
import { checkDestination, parseAllowedHosts } from '../_shared/destination-url.ts';
import { DestinationRefused } from './channels/deliver.ts';
import type { Transport } from './channels/types.ts';
import { parseProviderBase, redirectProvider } from './provider-base.ts';

async function resolveDns(host: string): Promise<string[]> {
  const [a, aaaa] = await Promise.allSettled([Deno.resolveDns(host, 'A'), Deno.resolveDns(host, 'AAAA')]);
  const found = [...(a.status === 'fulfilled' ? a.value : []), ...(aaaa.status === 'fulfilled' ? aaaa.value : [])];
  if (found.length === 0 && a.status === 'rejected') throw a.reason;
  return found;
}

/** A transport that refuses blocked destinations and gives up after `timeoutMs`. */
export function httpTransport(timeoutMs = 10_000): Transport {
  const allowedDevHosts = parseAllowedHosts(Deno.env.get('VIBE_ALLOWED_DEV_HOSTS'));
  const providerBase = parseProviderBase(Deno.env.get('VIBE_PROVIDER_API_BASE'));
  return async (req) => {
    // The destination check still applies to the redirected URL.
    const check = await checkDestination(redirectProvider(req.url, providerBase), {
      resolve: resolveDns,
      allowedDevHosts,
      what: `${req.what} URL`,
    });
    if (!check.ok) throw new DestinationRefused(check.reason);
    const res = await fetch(check.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text().catch(() => '');
    return { status: res.status, body };
  };
}

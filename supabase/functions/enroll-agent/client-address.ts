/**
 * The client address a request came from, as the rate-limit key. Runtime-neutral (no Deno APIs).
 *
 * Hosted Supabase and the local stack's functions proxy pass the address they saw in X-Forwarded-For.
 * A client can send its own X-Forwarded-For, and proxies append to it, so only the entries added by
 * trusted proxies count: the rightmost one, or the one `trustedHops` further left when more proxies of
 * the platform add themselves behind it (VIBE_ENROLL_PROXY_HOPS). The local stack replaces the header
 * with the socket address (stack/src/functions/proxy.ts), so its single entry is the one taken.
 */

function ipv4(s: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d{1,5})?$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1, 5).map(Number);
  return parts.every((n) => n <= 255) ? parts.join('.') : null;
}

/** Eight 16-bit groups of an IPv6 literal (brackets, port and zone stripped), or null. */
function ipv6Groups(s: string): number[] | null {
  let a = s;
  const bracket = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(a);
  if (bracket) a = bracket[1]!;
  a = a.replace(/%.*$/, '').toLowerCase();
  if (!a.includes(':')) return null;
  const tail = a.slice(a.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const v4 = ipv4(tail);
    if (!v4) return null;
    const [w, x, y, z] = v4.split('.').map(Number) as [number, number, number, number];
    a = `${a.slice(0, a.lastIndexOf(':') + 1)}${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some((n) => Number.isNaN(n))) return null;
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  return [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
}

/**
 * The rate-limit key of one address: IPv4 as dotted quad; IPv4-mapped IPv6 as its IPv4; other IPv6 as its
 * /64 (one subscriber gets a whole /64, so counting single addresses would let one client rotate through
 * 2^64 keys); anything else as given, cut to 100 characters.
 */
export function addressKey(raw: string): string {
  const s = raw.trim();
  const v4 = ipv4(s);
  if (v4) return v4;
  const g = ipv6Groups(s);
  if (!g) return s.slice(0, 100) || 'unknown';
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.');
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

/** The key of the client that sent `headers`, trusting `trustedHops` proxies right of it; 'unknown' without any. */
export function clientAddress(headers: Headers, trustedHops = 0): string {
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const entry = entries[Math.max(0, entries.length - 1 - trustedHops)];
  return entry ? addressKey(entry) : 'unknown';
}

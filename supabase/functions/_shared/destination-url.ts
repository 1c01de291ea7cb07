/**
 * Destination URL checks for outgoing notifications (SSRF guard). Pure: DNS resolution is passed in.
 * A destination must be https and every address its host resolves to must be public: no private,
 * loopback, link-local (cloud metadata), unique-local, CGNAT, multicast or reserved ranges, also not
 * through IPv6 forms that translate to them (IPv4-mapped/-translated/-compatible, NAT64, 6to4, Teredo).
 * Hosts listed for local development (VIBE_ALLOWED_DEV_HOSTS="127.0.0.1,localhost:8025") skip
 * both rules. Redirects must not be followed by the caller (the target could be anything).
 */

/** Resolves a host name to IP addresses (Deno: Deno.resolveDns for A and AAAA). */
export type Resolver = (hostname: string) => Promise<string[]>;

/** The outcome of a check: the parsed URL, or a reason that says what is wrong and how to fix it. */
export type DestinationCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Parses VIBE_ALLOWED_DEV_HOSTS: comma or space separated `host` or `host:port`, case-insensitive. */
export function parseAllowedHosts(value: string | undefined | null): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

function isAllowedDevHost(url: URL, allowed: string[]): boolean {
  const host = url.hostname.toLowerCase();
  const withPort = `${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  return allowed.some((a) => a === host || a === withPort || a === `[${host}]` || a === url.host.toLowerCase());
}

function parseIpv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : null;
}

/** Why an IPv4 address is not public, or null when it is. */
function ipv4Block(a: number[]): string | null {
  const [x, y] = a as [number, number, number, number];
  if (x === 0) return 'an unspecified (0.0.0.0/8) address';
  if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)) return 'a private address';
  if (x === 127) return 'a loopback address';
  if (x === 169 && y === 254) return 'a link-local address (cloud metadata lives here)';
  if (x === 100 && y >= 64 && y <= 127) return 'a carrier-grade NAT address';
  if (x === 192 && y === 0 && a[2] === 0) return 'an IETF protocol address';
  if (x === 198 && (y === 18 || y === 19)) return 'a benchmarking address';
  if (x >= 224) return 'a multicast or reserved address';
  return null;
}

/** Expands an IPv6 literal to eight 16-bit groups, or null when it is not one. */
function parseIpv6(input: string): number[] | null {
  let s = input.replace(/^\[|\]$/g, '').toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // Trailing dotted IPv4 (::ffff:1.2.3.4): rewrite it as two hex groups.
    const v4 = parseIpv4(maybeV4);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
    return groups.every((g) => Number.isFinite(g)) ? groups : null;
  };
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (!head || !rest) return null;
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) return null;
  if (halves.length === 2 && known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}

const dotted = (hi: number, lo: number): number[] => [hi >> 8, hi & 255, lo >> 8, lo & 255];

/** Why an IPv4 address carried inside an IPv6 one is not public, naming it so the reason reads well. */
function embeddedBlock(form: string, v4: number[]): string | null {
  const why = ipv4Block(v4);
  return why ? `${form} for ${v4.join('.')}, ${why}` : null;
}

/**
 * Why an IPv6 address is not public, or null when it is. Only global unicast (2000::/3) is public, minus
 * its special-purpose blocks; outside it only IPv4-mapped and NAT64 addresses of public IPv4 pass. Every
 * form that a host, a translator or a tunnel turns into an IPv4 address is judged by that address, so
 * loopback and private space cannot be reached through translation.
 */
function ipv6Block(g: number[]): string | null {
  const first = g[0]!;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'an unspecified (::) address';
  if (zeros(0, 7) && g[7] === 1) return 'a loopback address';
  // ::ffff:a.b.c.d (IPv4-mapped: the socket connects over IPv4, so public IPv4 is fine).
  if (zeros(0, 5) && g[5] === 0xffff) return embeddedBlock('an IPv4-mapped address', dotted(g[6]!, g[7]!));
  // ::ffff:0:a.b.c.d (SIIT IPv4-translated) and ::a.b.c.d (deprecated IPv4-compatible): never real destinations.
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0)
    return `an IPv4-translated address (for ${dotted(g[6]!, g[7]!).join('.')})`;
  if (zeros(0, 6)) return `an IPv4-compatible address (for ${dotted(g[6]!, g[7]!).join('.')}), deprecated`;
  // 64:ff9b::/96: the well-known NAT64 prefix reaches the embedded IPv4 address.
  if (first === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embeddedBlock('a NAT64 address', dotted(g[6]!, g[7]!));
  // 64:ff9b:1::/48: local-use NAT64 (RFC 8215), translated by whatever the local network runs.
  if (first === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'a local-use NAT64 address (64:ff9b:1::/48)';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xfe00) === 0xfc00) return 'a unique-local (private) address';
  if ((first & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  if ((first & 0xe000) !== 0x2000) return 'an address outside global unicast (2000::/3)';
  // 2002::/16 (6to4) wraps an IPv4 address in the next 32 bits.
  if (first === 0x2002) return embeddedBlock('a 6to4 address', dotted(g[1]!, g[2]!));
  // 2001::/32 (Teredo) tunnels to an IPv4 client through a relay: not a notification destination.
  if (first === 0x2001 && g[1] === 0) return 'a Teredo tunnel address (2001::/32)';
  if (first === 0x2001 && g[1] === 2 && g[2] === 0) return 'a benchmarking address';
  if (first === 0x2001 && ((g[1]! & 0xfff0) === 0x10 || (g[1]! & 0xfff0) === 0x20))
    return 'an ORCHID (non-routable identifier) address';
  if (first === 0x2001 && g[1] === 0x0db8) return 'a documentation address';
  if (first === 0x3fff && (g[1]! & 0xf000) === 0) return 'a documentation address';
  return null;
}

/** Why an IP literal is not a public address, or null when it is public (or not an IP at all). */
export function blockedAddressReason(address: string): string | null {
  const v4 = parseIpv4(address);
  if (v4) return ipv4Block(v4);
  const v6 = parseIpv6(address);
  if (v6) return ipv6Block(v6);
  return null;
}

/** Whether a string is an IPv4 or IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== null || parseIpv6(host) !== null;
}

/**
 * Checks a destination URL: https only and public addresses only (after resolving the host),
 * unless the host is in `allowedDevHosts`. `what` names the setting in error messages.
 */
export async function checkDestination(
  raw: unknown,
  options: { resolve: Resolver; allowedDevHosts: string[]; what?: string },
): Promise<DestinationCheck> {
  const what = options.what ?? 'Destination URL';
  if (typeof raw !== 'string' || raw.trim() === '') {
    return { ok: false, reason: `${what} is missing: set "url" in the channel's secrets to an https:// address` };
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `${what} is not a valid URL: ${raw.slice(0, 200)}` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason: `${what} must not carry credentials in the URL (${url.host}); put secrets in the channel's secret fields`,
    };
  }
  if (isAllowedDevHost(url, options.allowedDevHosts)) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return { ok: false, reason: `${what} must use http or https, not ${url.protocol}` };
    return { ok: true, url };
  }
  if (url.protocol !== 'https:') {
    return {
      ok: false,
      reason: `${what} must use https, not ${url.protocol.replace(':', '')}: ${url.origin} (for a local test receiver list its host in VIBE_ALLOWED_DEV_HOSTS)`,
    };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIpLiteral(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await options.resolve(host);
    } catch (err) {
      return {
        ok: false,
        reason: `${what} host ${host} does not resolve: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    if (addresses.length === 0) return { ok: false, reason: `${what} host ${host} does not resolve to any address` };
  }
  for (const address of addresses) {
    const why = blockedAddressReason(address);
    if (why) {
      return {
        ok: false,
        reason: `${what} ${url.origin} is blocked: ${host === address ? '' : `${host} resolves to `}${address}, ${why}; notifications only go to public addresses (list development hosts in VIBE_ALLOWED_DEV_HOSTS)`,
      };
    }
  }
  return { ok: true, url };
}

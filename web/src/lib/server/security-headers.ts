/**
 * Protective response headers. Pages get Kit's Content Security Policy (directives in vite.config.ts, a
 * per-request nonce) completed here with `connect-src`, which depends on the Supabase URL the server is
 * started with; everything else (API JSON, plain-text refusals) gets a policy that allows nothing.
 */

/** Headers every response carries. */
export const fixedSecurityHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // frame-ancestors 'none' in the CSP does the same for current browsers.
  'x-frame-options': 'DENY',
  // Other sites learn our origin at most, never a path such as /hosts/<slug>?range=….
  'referrer-policy': 'strict-origin-when-cross-origin',
  // The dashboard uses none of these; a script that got in cannot prompt for them either.
  'permissions-policy':
    'accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), ' +
    'gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), ' +
    'screen-wake-lock=(), xr-spatial-tracking=()',
};

/** The policy for responses that are not pages: JSON and text load nothing and may not be framed. */
export const nonPagePolicy = "default-src 'none'; frame-ancestors 'none'";

/** A CSP source list may hold neither directive nor policy separators, nor anything that breaks a header. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point of this check.
const badSource = /[;,\s\u0000-\u001f\u007f]/;

/**
 * The `connect-src` sources: this site, the Supabase origin (Auth, PostgREST, Storage over http(s)) and
 * its WebSocket form (Realtime), then any extra sources (CSP_CONNECT_SRC, space-separated).
 */
export function connectSources(supabaseUrl: string, extra = ''): string[] {
  const url = new URL(supabaseUrl);
  const socket = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  const sources = ["'self'", url.origin, socket];
  for (const source of extra.split(/\s+/).filter(Boolean)) {
    if (badSource.test(source))
      throw new Error(
        `CSP_CONNECT_SRC holds ${JSON.stringify(source)}: list CSP sources separated by spaces, e.g. "https://api.example.com wss://push.example.com"`,
      );
    if (!sources.includes(source)) sources.push(source);
  }
  return sources;
}

/** Adds `directive` to a policy unless Kit's configuration already set it. */
function withDirective(policy: string, name: string, sources: string[]): string {
  const present = policy.split(';').some((part) => part.trim().split(/\s+/)[0]?.toLowerCase() === name);
  return present ? policy : `${policy}; ${name} ${sources.join(' ')}`;
}

/**
 * The response with the security headers set. A page already holds Kit's CSP (with its nonces), which
 * gains `connect-src`; other responses get the deny-all policy.
 */
export function withSecurityHeaders(response: Response, connect: string[]): Response {
  let headers = response.headers;
  const set = () => {
    for (const [name, value] of Object.entries(fixedSecurityHeaders)) headers.set(name, value);
    const csp = headers.get('content-security-policy');
    headers.set('content-security-policy', csp ? withDirective(csp, 'connect-src', connect) : nonPagePolicy);
  };
  try {
    set();
    return response;
  } catch {
    // Headers of a fetched Response are immutable: copy them into a new one.
    headers = new Headers(response.headers);
    set();
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

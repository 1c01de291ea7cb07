/** Where to go after signing in: only a same-site path, so ?next= / ?redirectTo= cannot send users elsewhere. */

/** Longer targets fall back to `/`: no page of ours needs one, and a huge Location only costs. */
export const maxRedirectTargetLength = 2048;

// Control characters (browsers silently drop tab/CR/LF from URLs, so `/\t/evil` would become `//evil`;
// CR/LF/NUL cannot go into a header at all) and backslashes (browsers read them as `/` in http URLs).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point of this check.
const unsafeChars = /[\u0000-\u001f\u007f\\]/;
const base = 'http://redirect-target.invalid';

/**
 * A path on this site to redirect to, or `/`. The answer is re-serialised by the URL parser, so it is
 * percent-encoded (safe in a Location header), its dot segments are resolved, and it never starts with
 * `//` (a protocol-relative URL): Kit's redirect() throws (a 500) on anything header-unsafe or external.
 */
export function safeRedirectTarget(raw: string | null | undefined): string {
  if (!raw || raw.length > maxRedirectTargetLength || !raw.startsWith('/') || unsafeChars.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  const target = url.pathname + url.search + url.hash;
  // `/..//evil` resolves to the path `//evil`, which a browser would read as another host.
  if (target.startsWith('//')) return '/';
  return target;
}

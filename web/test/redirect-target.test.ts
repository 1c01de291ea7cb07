/**
 * safeRedirectTarget against hostile `?next=` values: whatever comes in, the answer is a same-site path that
 * Kit's redirect() accepts (header-safe, not external), so sign-in never answers 500 or leaves the site.
 */
import { redirect } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { maxRedirectTargetLength, safeRedirectTarget } from '../src/lib/server/redirect-target.ts';

/** Values a browser resolves off-site, that no HTTP header may carry, or that are just too long. */
const hostile = [
  '//evil.example',
  '//evil.example/path',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example', // browsers strip tabs and newlines from URLs: this becomes //evil.example
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/\r\nSet-Cookie: x=1',
  '/hosts\u0000',
  '/\u0000/evil.example',
  '/hosts\u007f',
  '/hosts\\..\\..\\evil',
  '/..//evil.example', // dot segments collapse to //evil.example
  '/./\\evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  ' /hosts',
  'hosts',
  '',
  `/${'a'.repeat(maxRedirectTargetLength)}`,
];

describe('safeRedirectTarget', () => {
  it('keeps same-site paths with their query and fragment', () => {
    expect(safeRedirectTarget('/')).toBe('/');
    expect(safeRedirectTarget('/hosts?x=1')).toBe('/hosts?x=1');
    expect(safeRedirectTarget('/hosts/web-1?range=6h#cpu')).toBe('/hosts/web-1?range=6h#cpu');
    expect(safeRedirectTarget('/hosts/a%2Fb')).toBe('/hosts/a%2Fb');
  });

  it('percent-encodes what a Location header cannot carry as it is', () => {
    expect(safeRedirectTarget('/hosts/日本')).toBe('/hosts/%E6%97%A5%E6%9C%AC');
    expect(safeRedirectTarget('/hosts/a b')).toBe('/hosts/a%20b');
  });

  it.each(hostile.map((v) => [JSON.stringify(v).slice(0, 60), v]))('falls back to / for %s', (_, value) => {
    expect(safeRedirectTarget(value)).toBe('/');
  });

  it('falls back to / for no value at all', () => {
    expect(safeRedirectTarget(null)).toBe('/');
    expect(safeRedirectTarget(undefined)).toBe('/');
  });

  it('only ever returns a location that Kit redirect() takes', () => {
    const probes = [...hostile, '/hosts/日本', '/%0d%0a', '/%09/evil.example', '/a\u2028b', '/\ud800'];
    for (const value of probes) {
      const target = safeRedirectTarget(value);
      let thrown: unknown;
      try {
        redirect(303, target);
      } catch (err) {
        thrown = err;
      }
      // A Redirect object, never an Error (which Kit would answer with 500).
      expect(thrown, `${JSON.stringify(value)} → ${JSON.stringify(target)}`).not.toBeInstanceOf(Error);
      expect(target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\')).toBe(true);
    }
  });
});

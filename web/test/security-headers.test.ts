/** The security-header helpers on their own: connect-src from the Supabase URL, and how a response gains the headers. */
import { describe, expect, it } from 'vitest';
import {
  connectSources,
  fixedSecurityHeaders,
  nonPagePolicy,
  withSecurityHeaders,
} from '../src/lib/server/security-headers.ts';

describe('connectSources', () => {
  it('allows the Supabase origin over http(s) and its WebSocket form', () => {
    expect(connectSources('https://abc.supabase.co')).toEqual([
      "'self'",
      'https://abc.supabase.co',
      'wss://abc.supabase.co',
    ]);
    expect(connectSources('http://127.0.0.1:54321/')).toEqual([
      "'self'",
      'http://127.0.0.1:54321',
      'ws://127.0.0.1:54321',
    ]);
    // A path (some proxies serve Supabase under one) does not narrow the origin.
    expect(connectSources('https://example.com/supabase')).toEqual([
      "'self'",
      'https://example.com',
      'wss://example.com',
    ]);
  });

  it('adds extra sources once each', () => {
    expect(
      connectSources(
        'https://a.supabase.co',
        ' https://api.example.com  wss://push.example.com https://a.supabase.co ',
      ),
    ).toEqual([
      "'self'",
      'https://a.supabase.co',
      'wss://a.supabase.co',
      'https://api.example.com',
      'wss://push.example.com',
    ]);
  });

  it('refuses extra sources that would end the directive or the policy', () => {
    for (const bad of ['https://x.example;script-src *', 'https://x.example,default-src *']) {
      expect(() => connectSources('https://a.supabase.co', bad)).toThrow(/CSP_CONNECT_SRC holds .*separated by spaces/);
    }
  });
});

describe('withSecurityHeaders', () => {
  const connect = connectSources('https://a.supabase.co');

  it("completes a page's policy with connect-src and keeps Kit's directives and nonce", () => {
    const page = new Response('<!doctype html>', {
      headers: {
        'content-type': 'text/html',
        'content-security-policy': "default-src 'self'; script-src 'self' 'nonce-abc'",
      },
    });
    const out = withSecurityHeaders(page, connect);
    expect(out.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc'; connect-src 'self' https://a.supabase.co wss://a.supabase.co",
    );
    for (const [name, value] of Object.entries(fixedSecurityHeaders)) expect(out.headers.get(name)).toBe(value);
  });

  it('leaves a connect-src set in the configuration alone', () => {
    const page = new Response('', { headers: { 'content-security-policy': "default-src 'self'; Connect-Src 'self'" } });
    expect(withSecurityHeaders(page, connect).headers.get('content-security-policy')).toBe(
      "default-src 'self'; Connect-Src 'self'",
    );
  });

  it('gives other answers a policy that allows nothing', () => {
    const json = new Response('{}', { status: 404, headers: { 'content-type': 'application/json' } });
    const out = withSecurityHeaders(json, connect);
    expect(out.status).toBe(404);
    expect(out.headers.get('content-security-policy')).toBe(nonPagePolicy);
    expect(out.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('copies a response whose headers cannot change', async () => {
    const fetched = Response.redirect('https://example.com/', 302); // immutable headers, like fetch()'s
    expect(() => fetched.headers.set('x', 'y')).toThrow();
    const out = withSecurityHeaders(fetched, connect);
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('https://example.com/');
    expect(out.headers.get('x-frame-options')).toBe('DENY');
  });
});

/**
 * Request pipeline: security headers on every answer, the cross-site form check, compression (so it sees final
 * responses), the per-request Supabase client and authentication in locals, then the page guard that sends
 * signed-out visitors to /login.
 */
import { building } from '$app/env';
import { PUBLIC_SUPABASE_URL } from '$app/env/public';
import { CSP_CONNECT_SRC, SIGN_IN_LIMITS, SUPABASE_SECRET_KEY } from '$app/env/private';
import { AsyncLocalStorage } from 'node:async_hooks';
import { redirect } from '@sveltejs/kit';
import { sequence, type Handle } from '@sveltejs/kit/hooks';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { AuthCalls } from '#lib/server/auth-calls.ts';
import { authenticate, bearerToken, type AuthResult } from '#lib/server/auth.ts';
import { compressResponse } from '#lib/server/compress.ts';
import { isCrossSiteForm } from '#lib/server/csrf.ts';
import { LOCALE_COOKIE, baseLocale, pickLocale, type Locale } from '#lib/locale.ts';
import { overwriteServerAsyncLocalStorage, type ParaglideAsyncLocalStorage } from '#lib/paraglide/runtime.js';
import { connectSources, withSecurityHeaders } from '#lib/server/security-headers.ts';
import { createCookieClient, createTokenClient, isHttps } from '#lib/server/supabase.ts';

// HOST_HEADER is adapter-node's setting for proxies that pass the public host in another header.
const hostHeader = process.env.HOST_HEADER?.toLowerCase() || undefined;

// Worked out once at start-up, so a bad CSP_CONNECT_SRC stops the server with a message, not every page.
const connect = building ? [] : connectSources(PUBLIC_SUPABASE_URL, CSP_CONNECT_SRC);

/** Outermost, so it sees every final response: pages, API answers and the hooks' own refusals. */
const securityHeaders: Handle = async ({ event, resolve }) => withSecurityHeaders(await resolve(event), connect);

const sameSiteForms: Handle = async ({ event, resolve }) => {
  if (isCrossSiteForm(event.request, hostHeader)) {
    return new Response(`Cross-site ${event.request.method} form submissions are forbidden`, { status: 403 });
  }
  return resolve(event);
};

const compression: Handle = async ({ event, resolve }) => compressResponse(event.request, await resolve(event));

const supabase: Handle = async ({ event, resolve }) => {
  let cookieClient: SupabaseClient<Database> | undefined;
  let tokenClient: SupabaseClient<Database> | undefined;
  let auth: Promise<AuthResult> | undefined;
  const authorization = event.request.headers.get('authorization');
  const token = bearerToken(authorization);
  const authCalls = new AuthCalls(
    PUBLIC_SUPABASE_URL,
    () => event.getClientAddress(),
    SUPABASE_SECRET_KEY,
    SIGN_IN_LIMITS !== 'off',
  );
  event.locals.authCalls = authCalls;
  const fromCookies = () =>
    (cookieClient ??= createCookieClient(event.cookies, isHttps(event.url, event.request.headers), authCalls.fetch));
  // Built on first use: a cached API answer needs no client at all.
  Object.defineProperty(event.locals, 'supabase', {
    get: () => (token ? (tokenClient ??= createTokenClient(token)) : fromCookies()),
    enumerable: true,
  });
  event.locals.auth = () => (auth ??= authenticate(authorization, fromCookies));
  event.locals.viewer = async () => (await event.locals.auth()).viewer;
  const response = await resolve(event, {
    // supabase-js reads these from responses fetched during SSR.
    filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version',
  });
  // A sign-in or sign-up refused for its rate (here or by Auth) tells the client when to come back.
  if (response.status === 429 && authCalls.retryAfterSeconds !== null && !response.headers.has('retry-after')) {
    response.headers.set('retry-after', String(authCalls.retryAfterSeconds));
  }
  return response;
};

/**
 * Routes anyone may open; everything else needs a session. The API answers 401 itself; the agent's
 * installer and executables hold nothing secret (the project URL and anon key are public).
 */
const isPublic = (path: string) =>
  path === '/login' ||
  path === '/signup' ||
  path === '/logout' ||
  path === '/install.sh' ||
  path.startsWith('/agent/') ||
  path === '/forgot' ||
  path === '/auth/confirm' ||
  path.startsWith('/api/') ||
  path.startsWith('/_app/');

// Message functions (#lib/paraglide) read the request's locale from here while the page renders.
const localeStore = new AsyncLocalStorage<{ locale?: Locale }>();
overwriteServerAsyncLocalStorage(localeStore as unknown as ParaglideAsyncLocalStorage);

/**
 * The request's language (lib/locale.ts: saved per user, else this browser's choice, else Accept-Language),
 * in locals and <html lang>. The seed API (/api/*) is a contract, not text for people: always the base locale.
 */
const language: Handle = async ({ event, resolve }) => {
  const api = event.url.pathname.startsWith('/api/');
  const locale = api
    ? baseLocale
    : pickLocale({
        saved: (await event.locals.viewer())?.savedLocale,
        cookie: event.cookies.get(LOCALE_COOKIE),
        acceptLanguage: event.request.headers.get('accept-language'),
      });
  event.locals.locale = locale;
  return localeStore.run({ locale }, () =>
    resolve(event, { transformPageChunk: ({ html }) => html.replace('<html lang="en">', `<html lang="${locale}">`) }),
  );
};

const guard: Handle = async ({ event, resolve }) => {
  const path = event.url.pathname;
  if (!isPublic(path) && event.route.id !== null) {
    const viewer = await event.locals.viewer();
    const back = path + event.url.search;
    if (!viewer) redirect(303, back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`);
    // A user with two-factor authentication whose cookie session is still aal1 gives the code first.
    if (viewer.via === 'cookie' && path !== '/login/mfa') {
      const { data } = await event.locals.supabase.auth.mfa.getAuthenticatorAssuranceLevel();
      if (data?.nextLevel === 'aal2' && data.currentLevel !== 'aal2')
        redirect(303, `/login/mfa?next=${encodeURIComponent(back)}`);
    }
  }
  return resolve(event);
};

export const handle = sequence(securityHeaders, sameSiteForms, compression, supabase, language, guard);

/** Who is asking: a verified user from `Authorization: Bearer <jwt>` or from the cookie session. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { ApiError } from './api-error.ts';
import { verifyAccessToken } from './supabase.ts';

/** The verified user behind a request. */
export interface Viewer {
  id: string;
  email: string | null;
  /** The user's access token; queries made with it run under the user's RLS. */
  accessToken: string;
  via: 'bearer' | 'cookie';
  /** The language the user saved (user_metadata.locale), if any: a preference, never an authorisation. */
  savedLocale: unknown;
}

/** The outcome of authenticating a request: a viewer, or why there is none (for a 401 that says what to fix). */
export type AuthResult =
  | { viewer: Viewer; problem?: undefined }
  | { viewer: null; problem: 'missing' | 'malformed' | 'invalid' | 'not_a_user' };

/** The bearer token of an Authorization header; undefined without the header, null when it is not `Bearer <token>`. */
export function bearerToken(header: string | null): string | null | undefined {
  if (header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Verifies the request's credentials; a bearer header wins over cookies, as in PostgREST. */
export async function authenticate(
  authorization: string | null,
  cookieClient: () => SupabaseClient<Database>,
): Promise<AuthResult> {
  const token = bearerToken(authorization);
  if (token === null) return { viewer: null, problem: 'malformed' };
  if (token !== undefined) return fromToken(token, 'bearer');
  const { data, error } = await cookieClient().auth.getSession();
  if (error || !data.session) return { viewer: null, problem: 'missing' };
  return fromToken(data.session.access_token, 'cookie');
}

/** The unverified role claim, only to explain a refusal (never to grant anything). */
function claimedRole(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).role;
  } catch {
    return undefined;
  }
}

async function fromToken(token: string, via: Viewer['via']): Promise<AuthResult> {
  const role = claimedRole(token);
  if (role === 'anon' || role === 'service_role') return { viewer: null, problem: 'not_a_user' };
  const claims = await verifyAccessToken(token);
  if (!claims) return { viewer: null, problem: via === 'cookie' ? 'missing' : 'invalid' };
  // The anon and service_role keys are valid JWTs without a user; the API serves users only.
  if (claims.role !== 'authenticated') return { viewer: null, problem: 'not_a_user' };
  return {
    viewer: {
      id: claims.sub,
      email: claims.email ?? null,
      accessToken: token,
      via,
      savedLocale: claims.user_metadata?.locale,
    },
  };
}

/** The message of a 401 for each problem, saying what to send instead. */
export const authProblemMessages: Record<NonNullable<AuthResult['problem']>, string> = {
  missing: 'Sign in first: send the session cookie from /login or an Authorization: Bearer <user access token> header',
  malformed: 'Malformed Authorization header: use "Authorization: Bearer <user access token>"',
  invalid: 'The bearer token is invalid or expired: sign in again or refresh the session and send the new access token',
  not_a_user: 'The bearer token is not a user session (anon or service key?): sign in and send the user access token',
};

/** The viewer of an API request, or an ApiError(401) whose message says which credentials to send. */
export async function requireViewer(locals: { auth: () => Promise<AuthResult> }): Promise<Viewer> {
  const result = await locals.auth();
  if (result.viewer) return result.viewer;
  throw new ApiError(401, 'unauthorized', authProblemMessages[result.problem]);
}

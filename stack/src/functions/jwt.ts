/** The `verify_jwt` gate in front of a function, with the 401 bodies `supabase functions serve` sends. */
import type { IncomingHttpHeaders } from 'node:http';
import { header } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';

/** Null when the request carries a valid JWT (HS256 legacy secret or the project's ES256 key), else the 401 body. */
export async function checkFunctionJwt(headers: IncomingHttpHeaders, keys: Keys): Promise<{ msg: string } | null> {
  const auth = header(headers, 'authorization');
  if (!auth) return { msg: 'Error: Missing authorization header' };
  // The CLI's check is this literal: one space, capitalised scheme.
  const [scheme, token] = auth.split(' ');
  if (scheme !== 'Bearer') return { msg: "Error: Auth header is not 'Bearer {token}'" };
  try {
    await keys.verify(token ?? '');
    return null;
  } catch {
    return { msg: 'Invalid JWT' };
  }
}

/**
 * Whether a request carries the project's service key (legacy service_role JWT or an sb_secret_ key),
 * as pg_net and pg_cron send it. Functions that run with verify_jwt = false check this themselves,
 * so new API keys work on hosted too. Deno only (reads the env).
 */

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Every key that means "service role" in this project. */
function serviceKeys(): string[] {
  const keys = [Deno.env.get('SUPABASE_SERVICE_ROLE_KEY') ?? ''];
  try {
    const secret = JSON.parse(Deno.env.get('SUPABASE_SECRET_KEYS') ?? '{}') as Record<string, string>;
    keys.push(...Object.values(secret));
  } catch {
    // malformed SUPABASE_SECRET_KEYS: only the legacy key counts
  }
  return keys.filter((k) => k.length >= 20);
}

/** The bearer token of a request, or null. */
export function bearerToken(req: Request): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get('Authorization') ?? '');
  return m ? m[1]!.trim() : null;
}

/** True when Authorization: Bearer or apikey holds a service key. */
export function isServiceRequest(req: Request): boolean {
  const presented = [bearerToken(req), req.headers.get('apikey')].filter((x): x is string => !!x);
  const keys = serviceKeys();
  return presented.some((p) => keys.some((k) => timingSafeEqual(p, k)));
}

/** JSON responses with a validator: weak ETag of the body, 304 when If-None-Match matches. */
import { createHash } from 'node:crypto';

/** A weak ETag (weak because the compressor may re-encode the body) from the body's SHA-1. */
export function etagOf(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** Whether an If-None-Match header matches the ETag, by the weak comparison RFC 9110 prescribes for it. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === wanted);
}

/** A serialised body and its ETag. */
export interface JsonBody {
  body: string;
  etag: string;
}

const bodies = new WeakMap<object, JsonBody>();

/**
 * Serialises a value once per cached source object: an unchanged cache entry is the same object
 * (local-copy.ts), so repeated polls skip JSON.stringify and hashing.
 */
export function jsonBody(value: unknown, source?: object): JsonBody {
  const known = source && bodies.get(source);
  if (known) return known;
  const body = JSON.stringify(value);
  const made = { body, etag: etagOf(body) };
  if (source) bodies.set(source, made);
  return made;
}

/** 200 with the JSON body, or 304 without it when the client already holds this version. */
export function cachedJson(
  request: Request,
  value: unknown | JsonBody,
  cacheControl: string,
  extra: Record<string, string> = {},
): Response {
  const { body, etag } =
    value instanceof Object && 'etag' in value && 'body' in value ? (value as JsonBody) : jsonBody(value);
  // Responses depend on who asks: shared caches must key on the credentials.
  const headers = { 'cache-control': cacheControl, etag, vary: 'Authorization, Cookie', ...extra };
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag))
    return new Response(null, { status: 304, headers });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

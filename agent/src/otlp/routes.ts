/**
 * Names what a request belongs to: its service (resource `service.name`) and its route, the
 * templated `http.route` when the application reports one, otherwise a normalised path in which ids
 * become `{id}` so that /users/17 and /users/18 are one route. The method leads the route, as APM
 * tools show it ("GET /users/{id}").
 */
import type { Attrs } from './model.ts';

/** Route of requests that carry neither a route nor a path. */
export const ANY_ROUTE = '*';
/** Route (and service) that collects everything past the caps. */
export const OTHER = 'other';

const MAX_NAME = 100;
const MAX_PATH = 200;

/** The resource's `service.name`, or OpenTelemetry's own default when it has none. */
export function serviceName(resource: Attrs): string {
  const s = resource['service.name'];
  const name = typeof s === 'string' && s.trim() ? s.trim() : 'unknown_service';
  return name.slice(0, MAX_NAME);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]{12,}$/i;
const NUMBER = /^-?\d+([.,]\d+)?$/;
const HAS_DIGIT = /\d/;

/** One path segment, or `{id}` when it looks like an identifier rather than a name. */
function normaliseSegment(seg: string): string {
  if (NUMBER.test(seg) || UUID.test(seg) || HEX_ID.test(seg)) return '{id}';
  // Long tokens mixing letters and digits (slugs with ids, base64 keys) are ids too.
  if (seg.length >= 16 && HAS_DIGIT.test(seg)) return '{id}';
  return seg;
}

/** A raw URL path (query and fragment dropped) with id segments templated and its length bounded. */
export function normalisePath(raw: string): string {
  let p = raw;
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  if (!p.startsWith('/')) {
    // An absolute URL in http.target or url.full: keep the path part.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(p);
    p = m ? (m[1] ?? '/') : `/${p}`;
  }
  const out = p
    .split('/')
    .map((s, i) => (i === 0 ? s : normaliseSegment(s)))
    .join('/');
  return out.length > MAX_PATH ? out.slice(0, MAX_PATH) : out;
}

function text(attrs: Attrs, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/** The route of a request from its attributes (metric point or span); `spanName` is the last resort. */
export function routeOf(attrs: Attrs, spanName?: string): string {
  const method = text(attrs, 'http.request.method', 'http.method');
  let path: string | null = text(attrs, 'http.route');
  if (path) path = path.slice(0, MAX_PATH);
  else {
    const raw = text(attrs, 'url.path', 'http.target');
    if (raw) path = normalisePath(raw);
  }
  if (!path && spanName) {
    // HTTP server instrumentations name spans "GET /users/:id" (or just "GET").
    const m = /^[A-Z]+ (\/\S*)$/.exec(spanName);
    if (m) path = normalisePath(m[1]!);
  }
  const route = path ?? ANY_ROUTE;
  return method ? `${method.toUpperCase().slice(0, 20)} ${route}` : route;
}

/** The HTTP response status code of a request, or null. */
export function statusCodeOf(attrs: Attrs): number | null {
  const v = attrs['http.response.status_code'] ?? attrs['http.status_code'];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Caps distinct names: the first `max` names seen are kept, later ones fold into `other`. What was
 * admitted stays admitted, so a route does not flip between its name and `other` over time.
 */
export class NameCap {
  readonly #max: number;
  readonly #known = new Set<string>();

  constructor(max: number) {
    this.#max = max;
  }

  /** `name` if admitted (now or before), else `other`. */
  admit(name: string): string {
    if (this.#known.has(name)) return name;
    if (this.#known.size >= this.#max) return OTHER;
    this.#known.add(name);
    return name;
  }

  /** Names admitted so far. */
  get size(): number {
    return this.#known.size;
  }
}

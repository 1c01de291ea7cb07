/** Realtime's REST broadcast: `POST /api/broadcast` (batch) and `POST /api/broadcast/:topic/events/:event` (single). */
import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import { bearer, header, sendJson, type ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import { authorizeWrite, emptyPolicies } from './authorization.ts';
import { topicKey, type Hub } from './hub.ts';
import { verifyRealtimeToken, type RealtimeClaims } from './token.ts';

interface Deps {
  pool: pg.Pool;
  keys: Keys;
  hub: Hub;
}

interface BatchMessage {
  topic?: unknown;
  event?: unknown;
  payload?: unknown;
  private?: unknown;
  id?: unknown;
}

/** One authenticated broadcast request. */
interface Caller {
  claims: RealtimeClaims;
  /** May these claims write to this private topic (the realtime.messages insert policies)? */
  mayWrite(topic: string): Promise<boolean>;
}

const SINGLE = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/;

// Hosted, Phoenix's body parser refuses JSON that does not parse with 400 before any route runs.
function sendInvalidJson(res: ServerResponse): void {
  sendJson(res, 400, { message: 'Bad Request: the body is not valid JSON' });
}

function parseJson(body: Buffer, empty: unknown): { ok: true; value: unknown } | { ok: false } {
  const text = body.toString('utf8');
  if (!text) return { ok: true, value: empty };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-length': '0' });
  res.end();
}

/** Routes a request to one of the broadcast handlers; returns false when the path is neither of them. */
export async function handleBroadcastRequest(deps: Deps, req: ServiceRequest, res: ServerResponse): Promise<boolean> {
  const single = SINGLE.exec(req.path);
  if (req.path !== '/api/broadcast' && !single) return false;
  if (req.method !== 'POST') {
    sendJson(res, 405, { message: `Method ${req.method} is not allowed here: use POST` });
    return true;
  }
  const caller = await authenticate(deps, req);
  if (!caller) {
    sendJson(res, 401, { message: 'Unauthorized' });
    return true;
  }
  if (single) await handleSingle(deps, caller, req, res, single[1]!, single[2]!);
  else await handleBatch(deps, caller, req, res);
  return true;
}

/** As hosted: the bearer token if any, else the apikey, must be a valid JWT. Null when it is not. */
async function authenticate(deps: Deps, req: ServiceRequest): Promise<Caller | null> {
  let claims: RealtimeClaims;
  try {
    claims = await verifyRealtimeToken(deps.keys, bearer(req.headers) ?? header(req.headers, 'apikey'));
  } catch {
    return null;
  }
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  return {
    claims,
    mayWrite: async (topic) =>
      (await authorizeWrite(deps.pool, { topic, claims, headers }, emptyPolicies())).broadcast.write === true,
  };
}

/** `POST /api/broadcast/:topic/events/:event[?private=true]`: one message, JSON or binary (`application/octet-stream`). */
async function handleSingle(
  deps: Deps,
  caller: Caller,
  req: ServiceRequest,
  res: ServerResponse,
  rawTopic: string,
  rawEvent: string,
): Promise<void> {
  let topic: string;
  let event: string;
  try {
    topic = decodeURIComponent(rawTopic);
    event = decodeURIComponent(rawEvent);
  } catch {
    sendJson(res, 400, { message: 'Bad Request: the topic or event in the path is not valid percent-encoding' });
    return;
  }
  const isPrivate = req.url.searchParams.get('private') === 'true';
  const binary = /octet-stream/i.test(header(req.headers, 'content-type') ?? '');
  let payload: unknown = null;
  if (!binary) {
    const parsed = parseJson(req.body, null);
    if (!parsed.ok) return sendInvalidJson(res);
    payload = parsed.value;
  }
  if (binary ? req.body.length === 0 : payload === null || typeof payload !== 'object') {
    sendJson(res, 422, { errors: { payload: ["can't be blank"] } });
    return;
  }
  if (isPrivate && !(await caller.mayWrite(topic))) {
    sendJson(res, 403, { message: 'Unauthorized' });
    return;
  }
  const msg = binary
    ? { event, encoding: 'binary' as const, payload: Buffer.from(req.body) }
    : { event, encoding: 'json' as const, payload: Buffer.from(JSON.stringify(payload)) };
  deps.hub.broadcastUser(topicKey(isPrivate, topic), topic, msg, null);
  accepted(res);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `POST /api/broadcast` with `{"messages":[{topic, event, payload, private?, id?}]}`, validated as Realtime's Ecto changeset does. */
async function handleBatch(deps: Deps, caller: Caller, req: ServiceRequest, res: ServerResponse): Promise<void> {
  const parsed = parseJson(req.body, {});
  if (!parsed.ok) return sendInvalidJson(res);
  // Phoenix wraps a JSON value that is not an object as `_json`, so such a body has no `messages` at all.
  const raw = isObject(parsed.value) ? parsed.value.messages : undefined;
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    sendJson(res, 422, { errors: { messages: ["can't be blank"] } });
    return;
  }
  if (!Array.isArray(raw) || !raw.every(isObject)) {
    sendJson(res, 422, { errors: { messages: ['is invalid'] } });
    return;
  }
  const messages = raw as BatchMessage[];
  const problems = messages.map((m) => {
    const e: Record<string, string[]> = {};
    for (const k of ['topic', 'event'] as const) if (typeof m[k] !== 'string' || m[k] === '') e[k] = ["can't be blank"];
    if (!m.payload || typeof m.payload !== 'object') e.payload = ["can't be blank"];
    return e;
  });
  if (problems.some((p) => Object.keys(p).length > 0)) {
    sendJson(res, 422, { errors: { messages: problems } });
    return;
  }
  const allowed = new Map<string, boolean>();
  for (const m of messages) {
    const topic = m.topic as string;
    const isPrivate = m.private === true || m.private === 'true';
    if (isPrivate) {
      // private messages need write permission on their topic; refused ones are dropped silently, as hosted does
      if (!allowed.has(topic)) allowed.set(topic, await caller.mayWrite(topic));
      if (!allowed.get(topic)) continue;
    }
    const payload: Record<string, unknown> = { payload: m.payload, event: m.event, type: 'broadcast' };
    if (typeof m.id === 'string') payload.meta = { id: m.id };
    deps.hub.broadcastJson(topicKey(isPrivate, topic), topic, payload, null);
  }
  accepted(res);
}

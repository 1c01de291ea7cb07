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

/** Handles the broadcast routes; returns false when the path is not one of them. */
export async function handleBroadcastRequest(deps: Deps, req: ServiceRequest, res: ServerResponse): Promise<boolean> {
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(req.path);
  if (req.path !== '/api/broadcast' && !single) return false;
  if (req.method !== 'POST') {
    sendJson(res, 405, { message: `Method ${req.method} is not allowed here: use POST` });
    return true;
  }
  // as hosted: the bearer token if any, else the apikey, must be a valid JWT
  let claims: RealtimeClaims;
  try {
    claims = await verifyRealtimeToken(deps.keys, bearer(req.headers) ?? header(req.headers, 'apikey'));
  } catch {
    sendJson(res, 401, { message: 'Unauthorized' });
    return true;
  }
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const mayWrite = async (topic: string) => (await authorizeWrite(deps.pool, { topic, claims, headers }, emptyPolicies())).broadcast.write === true;

  if (single) {
    const topic = decodeURIComponent(single[1]!);
    const event = decodeURIComponent(single[2]!);
    const isPrivate = req.url.searchParams.get('private') === 'true';
    const binary = /octet-stream/i.test(header(req.headers, 'content-type') ?? '');
    let payload: unknown = null;
    if (!binary) {
      try {
        payload = JSON.parse(req.body.toString('utf8') || 'null');
      } catch {
        sendJson(res, 422, { errors: { payload: ['is invalid JSON'] } });
        return true;
      }
    }
    if (binary ? req.body.length === 0 : payload === null || typeof payload !== 'object') {
      sendJson(res, 422, { errors: { payload: ["can't be blank"] } });
      return true;
    }
    if (isPrivate && !(await mayWrite(topic))) {
      sendJson(res, 403, { message: 'Unauthorized' });
      return true;
    }
    const msg = binary
      ? { event, encoding: 'binary' as const, payload: Buffer.from(req.body) }
      : { event, encoding: 'json' as const, payload: Buffer.from(JSON.stringify(payload)) };
    deps.hub.broadcastUser(topicKey(isPrivate, topic), topic, msg, null);
    res.writeHead(202, { 'content-length': '0' });
    res.end();
    return true;
  }

  let body: { messages?: unknown };
  try {
    body = JSON.parse(req.body.toString('utf8') || '{}') as { messages?: unknown };
  } catch {
    sendJson(res, 422, { errors: { messages: ['the body must be JSON: {"messages":[{"topic","event","payload","private"}]}'] } });
    return true;
  }
  const messages = Array.isArray(body.messages) ? (body.messages as BatchMessage[]) : null;
  if (!messages || messages.length === 0) {
    sendJson(res, 422, { errors: { messages: ["can't be blank"] } });
    return true;
  }
  const problems = messages.map((m) => {
    const e: Record<string, string[]> = {};
    for (const k of ['topic', 'event'] as const) if (typeof m[k] !== 'string' || m[k] === '') e[k] = ["can't be blank"];
    if (!m.payload || typeof m.payload !== 'object') e.payload = ["can't be blank"];
    return e;
  });
  if (problems.some((p) => Object.keys(p).length > 0)) {
    sendJson(res, 422, { errors: { messages: problems } });
    return true;
  }
  const allowed = new Map<string, boolean>();
  for (const m of messages) {
    const topic = m.topic as string;
    const isPrivate = m.private === true || m.private === 'true';
    if (isPrivate) {
      // private messages need write permission on their topic; refused ones are dropped silently, as hosted does
      if (!allowed.has(topic)) allowed.set(topic, await mayWrite(topic));
      if (!allowed.get(topic)) continue;
    }
    const payload: Record<string, unknown> = { payload: m.payload, event: m.event, type: 'broadcast' };
    if (typeof m.id === 'string') payload.meta = { id: m.id };
    deps.hub.broadcastJson(topicKey(isPrivate, topic), topic, payload, null);
  }
  res.writeHead(202, { 'content-length': '0' });
  res.end();
  return true;
}

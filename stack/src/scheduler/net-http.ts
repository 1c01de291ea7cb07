/** Sends one pg_net request the way pg_net's libcurl setup does, and describes the outcome as a net._http_response row. */
import http from 'node:http';
import https from 'node:https';

/** A claimed row of net.http_request_queue. */
export interface NetRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string> | null;
  readonly body: Buffer | null;
  readonly timeout_milliseconds: number;
}

/** The columns of net._http_response that the worker fills in. */
export interface NetOutcome {
  status_code: number | null;
  headers: Record<string, string> | null;
  content_type: string | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

/** The extension version the emulation reports (User-Agent, as pg_net sends `pg_net/<version>`). */
export const PG_NET_VERSION = '0.19.5';
const MAX_REDIRECTS = 30;

interface Timings {
  start: number;
  lookup: number | null;
  connect: number | null;
  sent: number | null;
}

/** pg_net's detailed timeout message (it derives the same three phases from curl's timings). */
export function timeoutMessage(timeoutMs: number, t: Timings, end: number): string {
  const ms = (x: number) => x.toFixed(6);
  const total = end - t.start;
  const dns = t.lookup === null ? (t.connect === null ? total : 0) : t.lookup - t.start;
  const handshake = t.connect === null ? (t.lookup === null ? 0 : total - dns) : t.connect - (t.lookup ?? t.start);
  const httpTime = t.sent === null && t.connect === null ? 0 : total - dns - handshake;
  return `Timeout of ${timeoutMs} ms reached. Total time: ${ms(total)} ms (DNS time: ${ms(dns)} ms, TCP/SSL handshake time: ${ms(handshake)} ms, HTTP Request/Response time: ${ms(httpTime)} ms)`;
}

/** curl_easy_strerror's wording for the socket errors Node reports. */
export function curlError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return "Couldn't connect to server";
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "Couldn't resolve host name";
    case 'ECONNRESET':
    case 'EPIPE':
      return 'Failure when receiving data from the peer';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
      return 'Weird server reply';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'SSL peer certificate or SSH remote key was not OK';
    default:
      return err.message;
  }
}

/** Response headers as curl lists them: original case, the last of repeated names wins. */
function headerObject(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i]!] = raw[i + 1]!;
  return out;
}

function failure(error_msg: string, timed_out = false): NetOutcome {
  return { status_code: null, headers: null, content_type: null, content: null, timed_out, error_msg };
}

/** Connection reuse for the worker's requests (curl multi keeps connections alive too); destroyed on stop. */
export interface NetAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/**
 * Sends the request with a total timeout covering connect and the whole body (CURLOPT_TIMEOUT_MS),
 * following redirects like CURLOPT_FOLLOWLOCATION (POST becomes GET on 301/302/303). Never throws.
 */
export async function sendNetRequest(req: NetRequest, agents: NetAgents, signal?: AbortSignal): Promise<NetOutcome> {
  const t: Timings = { start: performance.now(), lookup: null, connect: null, sent: null };
  const deadline = t.start + req.timeout_milliseconds;
  let method = req.method.toUpperCase();
  let body = req.body;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return failure('URL using bad/illegal format or missing URL');
  }
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!has('user-agent')) headers['User-Agent'] = `pg_net/${PG_NET_VERSION}`;
  if (!has('accept')) headers.Accept = '*/*';
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure('Unsupported protocol');
    const result = await exchange(url, method, headers, body, deadline, t, agents, signal);
    if ('error' in result) {
      if (result.timedOut) return failure(timeoutMessage(req.timeout_milliseconds, t, performance.now()), true);
      return failure(result.error);
    }
    const { res, content } = result;
    const location = res.headers.location;
    if (location && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && hop < MAX_REDIRECTS) {
      const next = new URL(location, url);
      if (next.host !== url.host) {
        for (const k of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(k)) delete headers[k];
      }
      if (res.statusCode === 303 || (method === 'POST' && (res.statusCode === 301 || res.statusCode === 302))) {
        method = 'GET';
        body = null;
        for (const k of Object.keys(headers)) if (/^content-(type|length)$/i.test(k)) delete headers[k];
      }
      url = next;
      continue;
    }
    const text = content.toString('utf8');
    const nul = text.indexOf('\0'); // a text column ends where a C string would
    const clipped = nul >= 0 ? text.slice(0, nul) : text;
    const responseHeaders = headerObject(res.rawHeaders);
    return {
      status_code: res.statusCode ?? null,
      headers: responseHeaders,
      content_type: res.headers['content-type'] ?? null,
      content: clipped === '' ? null : clipped,
      timed_out: false,
      error_msg: null,
    };
  }
  return failure('Number of redirects hit maximum amount');
}

type Exchange = { res: http.IncomingMessage; content: Buffer } | { error: string; timedOut: boolean };

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
  deadline: number,
  t: Timings,
  agents: NetAgents,
  signal?: AbortSignal,
): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const outgoing: Record<string, string> = { ...headers };
    // curl sends an explicit empty body for a POST without one.
    if (body || method === 'POST') outgoing['Content-Length'] = String(body?.length ?? 0);
    const request =
      url.protocol === 'https:'
        ? https.request(url, { method, headers: outgoing, agent: agents.https })
        : http.request(url, { method, headers: outgoing, agent: agents.http });
    const timer = setTimeout(
      () => {
        finish({ error: 'timeout', timedOut: true });
        request.destroy();
      },
      Math.max(0, deadline - performance.now()),
    );
    const onAbort = () => {
      finish({ error: 'Request cancelled: the stack is stopping', timedOut: false });
      request.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    request.on('socket', (socket) => {
      if (!socket.connecting) {
        // A kept-alive socket: no DNS or handshake for this request.
        t.lookup ??= performance.now();
        t.connect ??= t.lookup;
        return;
      }
      socket.once('lookup', () => (t.lookup ??= performance.now()));
      socket.once('connect', () => {
        t.lookup ??= t.start; // an IP address needs no lookup
        t.connect = performance.now();
      });
      socket.once('secureConnect', () => (t.connect = performance.now()));
    });
    request.on('finish', () => (t.sent ??= performance.now()));
    request.on('error', (err: NodeJS.ErrnoException) => {
      const gotNothing = err.message === 'socket hang up';
      finish({ error: gotNothing ? 'Server returned nothing (no headers, no data)' : curlError(err), timedOut: false });
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ res, content: Buffer.concat(chunks) }));
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: curlError(err), timedOut: false }));
    });
    request.end(body ?? undefined);
  });
}

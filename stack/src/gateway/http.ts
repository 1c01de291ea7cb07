/** Small HTTP helpers shared by every service behind the gateway. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A request as a service sees it: prefix stripped, body read, API keys translated. */
export interface ServiceRequest {
  method: string;
  /** Path after the service prefix, always starting with `/`. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  raw: IncomingMessage;
}

export type Service = (req: ServiceRequest, res: ServerResponse) => Promise<void>;

/** Writes a JSON body with the given status and headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** First value of a header, lower-cased name. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The bearer token of an Authorization header, if any. */
export function bearer(headers: IncomingHttpHeaders): string | null {
  const auth = header(headers, 'authorization');
  if (!auth) return null;
  const m = /^bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1]!.trim() : null;
}

export class BodyTooLargeError extends Error {}

/** A body that stalled (no bytes for `idleMs`) or took longer than `totalMs` in all. */
export class BodyTimeoutError extends Error {
  readonly stalled: boolean;
  constructor(stalled: boolean) {
    super(stalled ? 'request body stalled' : 'request body too slow');
    this.stalled = stalled;
  }
}

/** Time limits for reading one body. */
export interface BodyTimeouts {
  idleMs: number;
  totalMs: number;
}

/**
 * Reads a request body, refusing more than `limit` bytes or a body slower than `timeouts`. On refusal the
 * rest of the body is left unread: the caller answers with `connection: close`, so it is never drained.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  timeouts: BodyTimeouts = { idleMs: 10_000, totalMs: 60_000 },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout;
    const total = setTimeout(() => stop(new BodyTimeoutError(false)), timeouts.totalMs);
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stop(new BodyTimeoutError(true)), timeouts.idleMs);
    };
    const stop = (err: Error | null) => {
      clearTimeout(idle);
      clearTimeout(total);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(new BodyTooLargeError());
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => stop(null);
    const onError = (err: Error) => stop(err);
    arm();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

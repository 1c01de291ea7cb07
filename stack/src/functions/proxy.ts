/** Forwards one request to a worker and streams the worker's response back without buffering it. */
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { ServiceRequest } from '../gateway/http.ts';
import { sendFunctionError } from './errors.ts';
import type { Worker } from './worker.ts';

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/**
 * Sends `req` to the worker with the path the function sees hosted (`/<name>/…?query`) and the gateway's Host, so
 * `new URL(req.url)` inside the function names the public URL. Resolves when the response has ended or failed.
 */
export function proxyToWorker(worker: Worker, req: ServiceRequest, res: ServerResponse): Promise<void> {
  const headers = forwardable(req.headers);
  // The gateway has read the body (and answered any 100-continue); its real length is set below.
  delete headers['content-length'];
  delete headers.expect;
  if (req.body.length > 0 || !['GET', 'HEAD'].includes(req.method)) headers['content-length'] = String(req.body.length);
  const forwardedFor = req.raw.socket.remoteAddress;
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  worker.begin();
  return new Promise<void>((resolve) => {
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      worker.end();
      resolve();
    };
    const upstream = http.request({
      host: '127.0.0.1',
      port: worker.port,
      method: req.method,
      path: req.path + req.url.search,
      headers,
      agent: worker.agent,
    });
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardable(up.headers));
      // Send the head now: a streamed body (server-sent events) may not produce its first chunk for a while.
      res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      // The worker died mid-request (crash, exit, memory cap). Wait briefly for its exit so the cause is known.
      const timeout = new Promise<void>((r) => setTimeout(r, 300).unref());
      void Promise.race([worker.exit, timeout]).then(() => {
        sendFunctionError(res, worker.outOfMemory ? 'workerLimit' : 'workerError');
        done();
      });
    });
    // A client that goes away (e.g. closes an event stream) cancels the function's request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    });
    upstream.end(req.body);
  });
}

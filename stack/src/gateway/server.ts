/** The single gateway port: routes /rest/v1, /auth/v1, /realtime/v1, /functions/v1 and checks API keys as hosted Kong does. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Keys } from '../keys.ts';
import { BodyTimeoutError, BodyTooLargeError, readBody, sendJson, type Service } from './http.ts';
import { gatewayLimits, GATEWAY_LIMIT_ENV, type GatewayLimits } from './limits.ts';

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers':
    'authorization, x-client-info, apikey, content-type, content-profile, accept-profile, prefer, range, x-supabase-api-version, x-retry-count, x-region, upstash-encoding, upstash-sync-token',
  'access-control-expose-headers':
    'content-range, content-location, x-total-count, link, preference-applied, x-supabase-api-version, x-sb-error-code, location, retry-after',
  'access-control-max-age': '3600',
};

export interface Route {
  prefix: string;
  service: Service;
  /** When false the route is reachable without an `apikey` (e.g. JWKS, functions, Upstash). */
  requiresApiKey: boolean;
  /** The part of the path stripped before the service sees it; defaults to `prefix`. */
  base?: string;
  /** Overrides the gateway's body cap for this route. */
  maxBodyBytes?: number;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface GatewayOptions {
  keys: Keys;
  maxBodyBytes: number;
  /** Read on every request, so services can be added once the port is known. */
  routes: Route[];
  upgrades: { prefix: string; handler: UpgradeHandler }[];
  /** Timeouts and connection caps; read from the environment when absent. */
  limits?: GatewayLimits;
}

/**
 * Answers before the body was read, with `connection: close`: Node then closes the socket after the
 * response instead of draining the rest of the body to keep the connection alive.
 */
function refuse(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { connection: 'close' });
}

/** Creates (but does not start) the gateway HTTP server. */
export function createGateway(opts: GatewayOptions): http.Server {
  const limits = opts.limits ?? gatewayLimits();
  const server = http.createServer(
    {
      // Node answers 408 and closes when headers take longer than this (checked every connectionsCheckingInterval)
      headersTimeout: limits.headersTimeoutMs,
      // backstop for the whole request; readBody's own timers answer first, with a clear body
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000,
      connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (refused.has(req.socket)) return void req.socket.destroy();
      for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
      handle(req, res).catch((err: unknown) => {
        process.stderr.write(`[gateway] ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
        if (!res.headersSent)
          sendJson(res, 500, { code: 'internal_error', message: `Internal error: ${(err as Error).message}` });
        else res.destroy();
      });
    },
  );

  // Connection caps: counted per client address from accept to close, WebSockets included. Connections over
  // a cap get a 429 written straight to the socket and are closed, before any of their bytes are parsed.
  const perAddress = new Map<string, number>();
  const refused = new WeakSet<Socket>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = perAddress.get(address) ?? 0;
    const over =
      open >= limits.maxConnections
        ? `Too many open connections to this server: the limit is ${limits.maxConnections} (${GATEWAY_LIMIT_ENV.maxConnections}); retry later`
        : fromAddress >= limits.maxConnectionsPerAddress
          ? `Too many open connections from your address: the limit is ${limits.maxConnectionsPerAddress} (${GATEWAY_LIMIT_ENV.maxConnectionsPerAddress}); reuse connections or retry later`
          : null;
    if (over) {
      refused.add(socket);
      socket.on('error', () => {});
      const text = JSON.stringify({ code: 'too_many_connections', message: over });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${text}`,
        () => socket.destroy(),
      );
      return;
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open--;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    // Longest prefix wins; routes may be added after the server starts listening.
    const route = [...opts.routes]
      .sort((a, b) => b.prefix.length - a.prefix.length)
      .find((r) => url.pathname === r.prefix || url.pathname.startsWith(r.prefix + '/') || r.prefix === '');
    if (!route) {
      refuse(res, 404, { message: 'no Route matched with those values' });
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    const headers = { ...req.headers };
    const apikey = (headers.apikey as string | undefined) ?? url.searchParams.get('apikey') ?? undefined;
    // the key is checked before a byte of the body is read; a refused body is never drained (refuse())
    if (route.requiresApiKey) {
      if (!apikey) {
        refuse(res, 401, {
          message: 'No API key found in request',
          hint: 'No `apikey` request header or url param was found.',
        });
        return;
      }
      if (!opts.keys.isApiKey(apikey)) {
        refuse(res, 401, {
          message: 'Invalid API key',
          hint: 'Double check your Supabase `anon` or `service_role` API key.',
        });
        return;
      }
    }
    if (apikey) headers.apikey = opts.keys.translateApiKey(apikey);
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const m = /^bearer\s+(sb_(?:publishable|secret)_\S+)$/i.exec(auth.trim());
      if (m) headers.authorization = `Bearer ${opts.keys.translateApiKey(m[1]!)}`;
    }
    let body: Buffer;
    try {
      body = await readBody(req, route.maxBodyBytes ?? opts.maxBodyBytes, {
        idleMs: limits.bodyIdleTimeoutMs,
        totalMs: limits.bodyTimeoutMs,
      });
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        refuse(res, 413, {
          code: 'request_too_large',
          message: `Request body too large: the limit is ${route.maxBodyBytes ?? opts.maxBodyBytes} bytes; send smaller batches`,
        });
        return;
      }
      if (err instanceof BodyTimeoutError) {
        refuse(res, 408, {
          code: 'request_timeout',
          message: err.stalled
            ? `Request body stalled: no data for ${limits.bodyIdleTimeoutMs / 1000} s; send the whole body without pauses`
            : `Request body too slow: not complete after ${limits.bodyTimeoutMs / 1000} s; send the body faster or in smaller requests`,
        });
        return;
      }
      throw err;
    }
    const rest = url.pathname.slice((route.base ?? route.prefix).length) || '/';
    await route.service(
      { method: req.method ?? 'GET', path: rest.startsWith('/') ? rest : `/${rest}`, url, headers, body, raw: req },
      res,
    );
  }

  server.on('upgrade', (req, socket, head) => {
    if (refused.has(req.socket)) return void socket.destroy();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const up = opts.upgrades.find((u) => url.pathname.startsWith(u.prefix));
    if (!up) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const apikey = url.searchParams.get('apikey') ?? (req.headers['x-api-key'] as string | undefined);
    if (apikey?.startsWith('sb_')) {
      url.searchParams.set('apikey', opts.keys.translateApiKey(apikey));
      req.url = url.pathname + url.search;
    }
    up.handler(req, socket, head);
  });
  server.keepAliveTimeout = 65000;
  return server;
}

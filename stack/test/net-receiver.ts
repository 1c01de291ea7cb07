/** A local HTTP server standing in for the outside service pg_net calls; records every request. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../testkit/src/wait-for.ts';

/** One request as the receiver saw it. */
export interface Received {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Paths of all requests in progress when this one arrived, itself included. */
  activePaths: string[];
}

/** A running receiver: `url(path)`, the requests so far, and `waitFor` a matching one. */
export interface Receiver {
  readonly requests: Received[];
  url(path: string): string;
  waitFor(match: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 and a random port: `/slow/<ms>…` answers after that delay,
 * `/redirect/<status><path>` redirects to `<path>`, `/created…` answers 201, everything else 200 with JSON.
 */
export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const active = new Set<string>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const key = `${path}#${requests.length}#${Math.random()}`;
    active.add(key);
    const activePaths = [...active].map((k) => k.slice(0, k.indexOf('#')));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        activePaths,
      });
      const delay = Number(/^\/slow\/(\d+)/.exec(path)?.[1] ?? 0);
      setTimeout(() => {
        active.delete(key);
        const redirect = /^\/redirect\/(\d{3})(\/.*)$/.exec(path);
        if (redirect) {
          res.writeHead(Number(redirect[1]), { Location: redirect[2] }).end();
          return;
        }
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Receiver', 'yes');
        res.statusCode = path.startsWith('/created') ? 201 : 200;
        res.end(JSON.stringify({ received: path }));
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    requests,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async waitFor(match, timeoutMs = 5000) {
      return waitFor(() => requests.find(match), {
        message: () => `a matching request; got: ${requests.map((r) => r.path).join(', ')}`,
        timeoutMs,
        intervalMs: 20,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

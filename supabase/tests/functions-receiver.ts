/**
 * A local HTTP receiver standing in for Slack, Discord, Teams, ntfy, the email, Telegram and PagerDuty APIs and webhooks in the
 * notification tests: records every request, can answer with a chosen status, and can go down
 * (port closed: connection refused) and come back up on the same port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../testkit/src/wait-for.ts';

/** One request as the receiver saw it. */
export interface Delivery {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** A running receiver. */
export interface NotifyReceiver {
  readonly deliveries: Delivery[];
  url(path: string): string;
  /** Requests to paths starting with `prefix`. */
  to(prefix: string): Delivery[];
  waitFor(prefix: string, count?: number, timeoutMs?: number): Promise<Delivery[]>;
  /** Answer this status on paths starting with `prefix` (default 200). */
  answer(prefix: string, status: number): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 and a free port, or on `listenPort`: the provider port the functions send to
 * (VIBE_PROVIDER_API_BASE), which test files take in turn, so a busy port is waited for (up to 90 s).
 */
export async function startNotifyReceiver(listenPort = 0): Promise<NotifyReceiver> {
  const deliveries: Delivery[] = [];
  const statuses = new Map<string, number>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
      const path = req.url ?? '/';
      deliveries.push({ at: Date.now(), method: req.method ?? '', path, headers: req.headers, body, json });
      const status = [...statuses].find(([p]) => path.startsWith(p))?.[1] ?? 200;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  };
  let server = http.createServer(handler);
  const listen = (s: http.Server) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(listenPort, '127.0.0.1', resolve);
    });
  for (let waited = 0; ; waited += 250) {
    try {
      await listen(server);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || listenPort === 0 || waited >= 90_000) throw err;
      await new Promise((r) => setTimeout(r, 250));
      server = http.createServer(handler);
    }
  }
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const to = (prefix: string) => deliveries.filter((d) => d.path.startsWith(prefix));
  return {
    deliveries,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    to,
    async waitFor(prefix, count = 1, timeoutMs = 15_000) {
      await waitFor(() => to(prefix).length >= count, {
        message: () =>
          `${count} deliveries to ${prefix}, got ${to(prefix).length}: ${deliveries.map((d) => d.path).join(', ')}`,
        timeoutMs,
        intervalMs: 20,
      });
      return to(prefix);
    },
    answer: (prefix, status) => void statuses.set(prefix, status),
    down: stop,
    async up() {
      server = http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: stop,
  };
}

/**
 * A second gateway front on the test stack's Postgres with REST and Realtime mounted and small limits, so the
 * abuse tests can reach each limit with a handful of sockets without touching the shared stack's limits.
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.ts';
import type { StackContext } from '../src/context.ts';
import type { GatewayLimits } from '../src/gateway/limits.ts';
import { DEFAULT_GATEWAY_LIMITS } from '../src/gateway/limits.ts';
import { createGateway, type GatewayOptions, type Route } from '../src/gateway/server.ts';
import { buildKeys, loadSecrets } from '../src/keys.ts';
import { DEFAULT_REALTIME_LIMITS, type RealtimeLimits } from '../src/realtime/limits.ts';
import { startRealtime } from '../src/realtime/index.ts';
import { createRestService } from '../src/rest/index.ts';

export const env = inject('stack');

/** A running front: its URL, the pool its REST uses, and stop(). */
export interface Front {
  url: string;
  pool: pg.Pool;
  stop(): Promise<void>;
}

/** Starts gateway + REST + Realtime on a free port; `poolSize` is the REST pool (the stack's main pool). */
export async function startFront(
  opts: { realtime?: Partial<RealtimeLimits>; gateway?: Partial<GatewayLimits>; poolSize?: number } = {},
): Promise<Front> {
  const keys = await buildKeys(await loadSecrets(env.DATA_DIR));
  const pool = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: opts.poolSize ?? 4 });
  pool.on('error', () => {});
  const routes: Route[] = [];
  const upgrades: GatewayOptions['upgrades'] = [];
  const server = createGateway({
    keys,
    maxBodyBytes: 1024 * 1024,
    routes,
    upgrades,
    limits: { ...DEFAULT_GATEWAY_LIMITS, ...opts.gateway },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({}, { dataDir: env.DATA_DIR, externalDatabaseUrl: env.SUPABASE_DB_URL });
  const ctx: StackContext = {
    config,
    keys,
    pool,
    dbUrl: env.SUPABASE_DB_URL,
    publicUrl: url,
    schemas: ['public', 'graphql_public', 'rest_fixture'],
  };
  routes.push({ prefix: '/rest/v1', service: createRestService(ctx), requiresApiKey: true });
  const realtime = await startRealtime(ctx, { ...DEFAULT_REALTIME_LIMITS, ...opts.realtime });
  routes.push({ prefix: '/realtime/v1', service: realtime.service, requiresApiKey: true });
  upgrades.push({ prefix: '/realtime/v1', handler: realtime.upgrade });
  return {
    url,
    pool,
    async stop() {
      await realtime.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}

/** A Phoenix reply or push as the tests read it (vsn 1.0.0 JSON objects). */
export interface Frame {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: { status?: string; response?: { reason?: string } } & Record<string, unknown>;
}

/** A raw Realtime socket with the anon key: frames in order, and the upgrade's HTTP status if it was refused. */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  private ref = 0;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<{ ok: true } | { ok: false; status: number; body: string }>;
  readonly closed: Promise<void>;

  constructor(url: string, opts: { localAddress?: string } = {}) {
    this.ws = new WebSocket(
      `${url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${env.SUPABASE_ANON_KEY}&vsn=1.0.0`,
      { localAddress: opts.localAddress },
    );
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve({ ok: true }));
      this.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
      });
    });
  }

  /** Sends phx_join for `realtime:<topic>` and returns its ref. */
  join(topic: string, config: Record<string, unknown> = {}): string {
    const ref = String(++this.ref);
    this.ws.send(
      JSON.stringify({ join_ref: ref, ref, topic: `realtime:${topic}`, event: 'phx_join', payload: { config } }),
    );
    return ref;
  }

  /** Waits for the reply to `ref`. */
  async reply(ref: string, ms = 10_000): Promise<Frame> {
    const end = Date.now() + ms;
    for (;;) {
      const f = this.frames.find((x) => x.ref === ref && x.event === 'phx_reply');
      if (f) return f;
      if (Date.now() > end) throw new Error(`no reply to ref ${ref} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

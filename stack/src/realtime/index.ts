/** Supabase Realtime: Phoenix websocket at /realtime/v1/websocket and the HTTP broadcast API. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';
import type { UpgradeHandler } from '../gateway/server.ts';
import { PostgresChanges } from './cdc/changes.ts';
import { AuthorizationPool } from './authorization-pool.ts';
import { DatabaseBroadcasts } from './db-broadcast.ts';
import { handleBroadcastRequest } from './http-broadcast.ts';
import { Hub, topicKey } from './hub.ts';
import { PerSecond, realtimeLimits, REALTIME_LIMIT_ENV, type RealtimeLimits } from './limits.ts';
import { RealtimeSocket, type SocketDeps } from './socket.ts';
import { TokenError, verifyRealtimeToken } from './token.ts';

export interface RealtimeServer {
  /** HTTP routes under /realtime/v1 (e.g. /api/broadcast). */
  service: Service;
  /** WebSocket upgrades under /realtime/v1. */
  upgrade: UpgradeHandler;
  stop(): Promise<void>;
}

const WEBSOCKET_PATH = '/realtime/v1/websocket';
/** Phoenix closes a socket that sent nothing for 60 s; realtime-js heartbeats every 25 s. */
const IDLE_TIMEOUT_MS = 60_000;

function rejectUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const reason =
    status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/** Starts the broadcast pickup and returns the HTTP service and upgrade handler the gateway mounts. */
export async function startRealtime(
  ctx: StackContext,
  limits: RealtimeLimits = realtimeLimits(),
): Promise<RealtimeServer> {
  const hub = new Hub();
  const changes = new PostgresChanges(ctx.pool, ctx.dbUrl);
  const authz = new AuthorizationPool(ctx.dbUrl, limits.authPoolSize, limits.authQueueLength);
  const overallJoins = new PerSecond();
  const deps: SocketDeps = { pool: ctx.pool, keys: ctx.keys, hub, changes, authz, limits, overallJoins };
  /** Sockets per client address, counted from the upgrade request on (a pending token check holds a place too). */
  const perAddress = new Map<string, number>();
  let open = 0;
  const fromDatabase = new DatabaseBroadcasts(ctx.pool, ctx.dbUrl, (isPrivate, topic, msg) =>
    hub.broadcastUser(topicKey(isPrivate, topic), topic, msg, null),
  );
  await fromDatabase.start();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
  const sockets = new Set<RealtimeSocket>();
  let stopping = false;
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const s of sockets)
      if (now - s.lastSeen > IDLE_TIMEOUT_MS) s.close(1000, 'idle timeout: no heartbeat for 60 s');
  }, 10_000);
  sweep.unref();

  const upgrade: UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://realtime');
    if (url.pathname !== WEBSOCKET_PATH || stopping) {
      rejectUpgrade(socket, 404, { message: `No WebSocket endpoint at ${url.pathname}: connect to ${WEBSOCKET_PATH}` });
      return;
    }
    socket.on('error', () => {});
    // hosted answers too many users with 429 at connect (user_socket.ex); the per-address cap has no hosted twin
    const address = req.socket.remoteAddress ?? 'unknown';
    const fromAddress = perAddress.get(address) ?? 0;
    if (open >= limits.maxConcurrentUsers) return rejectUpgrade(socket, 429, { error: 'Too many connected users' });
    if (overallJoins.over(limits.maxJoinsPerSecondOverall))
      return rejectUpgrade(socket, 429, { error: 'Too many joins per second' });
    if (fromAddress >= limits.maxSocketsPerAddress) {
      return rejectUpgrade(socket, 429, {
        error: `Too many connections from this address: the limit is ${limits.maxSocketsPerAddress} open sockets (${REALTIME_LIMIT_ENV.maxSocketsPerAddress})`,
      });
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open--;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    };
    socket.once('close', release);
    // hosted order: the x-api-key header wins over the apikey query parameter
    const headerKey = req.headers['x-api-key'];
    const raw = (typeof headerKey === 'string' ? headerKey : null) ?? url.searchParams.get('apikey');
    const token = raw ? ctx.keys.translateApiKey(raw) : null;
    const vsn = url.searchParams.get('vsn')?.startsWith('2.') ? '2.0.0' : '1.0.0';
    verifyRealtimeToken(ctx.keys, token).then(
      () => {
        if (stopping) return rejectUpgrade(socket, 503, { error: 'Realtime is restarting, please standby' });
        wss.handleUpgrade(req, socket, head, (ws) => {
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(([, v]) => typeof v === 'string'),
          ) as Record<string, string>;
          const rs = new RealtimeSocket(ws, vsn, token!, headers, deps);
          sockets.add(rs);
          ws.on('close', () => sockets.delete(rs));
        });
      },
      (err: unknown) => {
        const status = err instanceof TokenError ? err.status : 500;
        rejectUpgrade(socket, status, {
          error: err instanceof TokenError ? err.message : 'Error connecting to Realtime',
        });
      },
    );
  };

  const service: Service = async (req, res) => {
    if (await handleBroadcastRequest({ pool: ctx.pool, keys: ctx.keys, hub }, req, res)) return;
    sendJson(res, 404, { message: `No Realtime route ${req.method} ${req.path}: the HTTP API is POST /api/broadcast` });
  };

  return {
    service,
    upgrade,
    async stop() {
      stopping = true;
      clearInterval(sweep);
      for (const s of [...sockets]) s.close();
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await changes.stop();
      await fromDatabase.stop();
      await authz.end().catch(() => {});
    },
  };
}

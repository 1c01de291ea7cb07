/** Supabase Realtime: Phoenix websocket at /realtime/v1/websocket and the HTTP broadcast API. */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';
import type { UpgradeHandler } from '../gateway/server.ts';

export interface RealtimeServer {
  /** HTTP routes under /realtime/v1 (e.g. /api/broadcast). */
  service: Service;
  /** WebSocket upgrades under /realtime/v1. */
  upgrade: UpgradeHandler;
  stop(): Promise<void>;
}

export async function startRealtime(_ctx: StackContext): Promise<RealtimeServer> {
  return {
    service: async (_req, res) => sendJson(res, 501, { message: 'Realtime not built yet' }),
    upgrade: (_req, socket) => socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\n\r\n'),
    async stop() {},
  };
}

/** Upstash-REST-compatible endpoint in front of a real redis-server (or REDIS_URL, or an in-process store). */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';

export interface RedisServer {
  /** Mounted at /upstash on the gateway; checks its own bearer token. */
  service: Service;
  /** The bearer token clients must send (UPSTASH_REDIS_REST_TOKEN). */
  token: string;
  stop(): Promise<void>;
}

export async function startRedis(_ctx: StackContext): Promise<RedisServer> {
  return {
    service: async (_req, res) => sendJson(res, 501, { error: 'Upstash endpoint not built yet' }),
    token: '',
    async stop() {},
  };
}

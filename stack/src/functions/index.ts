/** Edge Functions: Deno workers serving supabase/functions/<name>/index.ts at /functions/v1/<name>. */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';

export interface FunctionsServer {
  service: Service;
  stop(): Promise<void>;
}

/** `env` is what every function sees (SUPABASE_URL, keys, DB URL, Upstash). */
export async function startFunctions(_ctx: StackContext, _env: Record<string, string>): Promise<FunctionsServer> {
  return {
    service: async (_req, res) => sendJson(res, 501, { code: 'not_implemented', message: 'Edge Functions not built yet' }),
    async stop() {},
  };
}

/** PostgREST-compatible /rest/v1 service. */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';

export function createRestService(_ctx: StackContext): Service {
  return async (_req, res) => sendJson(res, 501, { code: 'PGRST000', message: 'REST not built yet', details: null, hint: null });
}

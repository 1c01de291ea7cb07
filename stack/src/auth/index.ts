/** GoTrue-compatible /auth/v1 service. */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';

export function createAuthService(ctx: StackContext): Service {
  return async (req, res) => {
    if (req.path === '/.well-known/jwks.json') return sendJson(res, 200, ctx.keys.jwks);
    sendJson(res, 501, { code: 'not_implemented', message: 'Auth not built yet' });
  };
}

/** GET /install.sh: the agent installer with this dashboard's address and project filled in (curl … | sudo sh -s -- --token …). */
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';
import { VIBE_AGENT_DIST } from '$app/env/private';
import type { RequestHandler } from './$types';
import { errorResponse } from '#lib/server/api-error.ts';
import { agentDistDir, installScript } from '#lib/server/agent-dist.ts';
import { isHttps } from '#lib/server/supabase.ts';

export const GET: RequestHandler = ({ url, request }) => {
  try {
    // adapter-node calls every request https unless PROTOCOL_HEADER is set: the real scheme, as the cookies use it.
    const dashboard = `${isHttps(url, request.headers) ? 'https' : 'http'}://${url.host}`;
    const text = installScript(agentDistDir(VIBE_AGENT_DIST), {
      dashboard,
      supabaseUrl: PUBLIC_SUPABASE_URL.replace(/\/+$/, ''),
      key: PUBLIC_SUPABASE_ANON_KEY,
    });
    return new Response(text, {
      headers: { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-cache' },
    });
  } catch (err) {
    return errorResponse(err);
  }
};

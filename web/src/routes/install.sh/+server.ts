/** GET /install.sh: the agent installer with this dashboard's address and project filled in (curl … | sudo sh -s -- --token …). */
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';
import { VIBE_AGENT_DIST } from '$app/env/private';
import type { RequestHandler } from './$types';
import { errorResponse } from '#lib/server/api-error.ts';
import { agentDistDir, installScript } from '#lib/server/agent-dist.ts';

export const GET: RequestHandler = ({ url }) => {
  try {
    const text = installScript(agentDistDir(VIBE_AGENT_DIST), {
      dashboard: url.origin,
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

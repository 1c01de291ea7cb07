/** GET /agent/version: the agent this dashboard serves (version, build, sha256 and size per architecture), for `vibe-agent update`. */
import { VIBE_AGENT_DIST } from '$app/env/private';
import type { RequestHandler } from './$types';
import { errorResponse } from '#lib/server/api-error.ts';
import { agentDistDir, agentVersion } from '#lib/server/agent-dist.ts';

export const GET: RequestHandler = () => {
  try {
    return new Response(JSON.stringify(agentVersion(agentDistDir(VIBE_AGENT_DIST))), {
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
    });
  } catch (err) {
    return errorResponse(err);
  }
};

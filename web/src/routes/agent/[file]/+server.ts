/** GET /agent/vibe-agent-linux-<arch>[.sha256]: the agent executables and their checksums, for install.sh and `vibe-agent update`. */
import { VIBE_AGENT_DIST } from '$app/env/private';
import type { RequestHandler } from './$types';
import { errorResponse } from '#lib/server/api-error.ts';
import { agentDistDir, agentFile } from '#lib/server/agent-dist.ts';

export const GET: RequestHandler = ({ params }) => {
  try {
    return agentFile(agentDistDir(VIBE_AGENT_DIST), params.file);
  } catch (err) {
    return errorResponse(err);
  }
};

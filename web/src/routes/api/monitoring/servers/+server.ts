/** GET /api/monitoring/servers[?serverId=]: the seed's server list, team-scoped and cached. */
import type { RequestHandler } from './$types';
import { ApiError, errorResponse } from '#lib/server/api-error.ts';
import { requireViewer } from '#lib/server/auth.ts';
import { getData } from '#lib/server/cache.ts';
import { cachedJson, jsonBody } from '#lib/server/http-cache.ts';
import { findServers } from '#lib/server/server-lookup.ts';
import { serversFor } from '#lib/server/servers.ts';

export const GET: RequestHandler = async ({ locals, url, request }) => {
  try {
    const viewer = await requireViewer(locals);
    const serverId = url.searchParams.get('serverId');
    if (serverId !== null && !serverId.trim()) {
      throw new ApiError(
        400,
        'invalid_parameter',
        'serverId is empty: pass a host id or slug, or omit it to list every server',
      );
    }
    const list = await serversFor(viewer, locals.supabase, getData);
    let servers = list.servers;
    if (serverId !== null) {
      servers = await findServers(servers, serverId, list.teamIds, locals.supabase);
      if (servers.length === 0) {
        throw new ApiError(
          404,
          'server_not_found',
          `No server "${serverId}" among the hosts you can see: check the id or slug (GET /api/monitoring/servers lists them)`,
        );
      }
    }
    // The whole list of a one-team viewer is serialised once per cache version.
    const source = serverId === null && list.sources.length === 1 ? list.sources[0] : undefined;
    return cachedJson(request, jsonBody({ servers }, source), 'private, no-cache', {
      'x-cache': list.missed ? 'miss' : 'hit',
    });
  } catch (err) {
    return errorResponse(err, err instanceof ApiError && err.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
};

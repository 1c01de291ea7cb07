/** GET /api/monitoring/performance?serverId=&from=&to=&metric=: one host's series, at most ~1,000 points. */
import type { RequestHandler } from './$types';
import { ApiError, errorResponse } from '#lib/server/api-error.ts';
import { requireViewer } from '#lib/server/auth.ts';
import { getData } from '#lib/server/cache.ts';
import { performanceKey } from '#lib/server/cache-keys.ts';
import { cachedJson } from '#lib/server/http-cache.ts';
import { fetchRange, toSeries } from '#lib/server/performance.ts';
import { parsePerformanceQuery } from '#lib/server/performance-query.ts';
import { findServers } from '#lib/server/server-lookup.ts';
import { serversFor } from '#lib/server/servers.ts';

/** A range ending this long ago no longer changes (late samples and rollups have settled). */
const settledAfterMs = 5 * 60_000;

export const GET: RequestHandler = async ({ locals, url, request }) => {
  try {
    const viewer = await requireViewer(locals);
    const query = parsePerformanceQuery(url.searchParams);
    // The host is looked up in the viewer's (cached) server list: that is where RLS and team scope are settled.
    const { servers, teamIds, teamOf } = await serversFor(viewer, locals.supabase, getData);
    const matches = await findServers(servers, query.serverId, teamIds, locals.supabase);
    if (matches.length === 0) {
      throw new ApiError(
        404,
        'server_not_found',
        `No server "${query.serverId}" among the hosts you can see: check the id or slug (GET /api/monitoring/servers lists them)`,
      );
    }
    if (matches.length > 1) {
      throw new ApiError(
        400,
        'ambiguous_server',
        `"${query.serverId}" names hosts in ${matches.length} of your teams: pass the host id instead (${matches.map((s) => s.id).join(', ')})`,
      );
    }
    const host = matches[0]!;
    const teamId = teamOf.get(host.id)!;
    const settled = Date.now() - query.to.getTime() > settledAfterMs;
    const range = query.lastHour ? 'last-hour' : { from: query.from.toISOString(), to: query.to.toISOString() };
    let missed = false;
    const series = await getData(
      performanceKey(teamId, host.id, range, query.metric),
      async () => {
        missed = true;
        return toSeries(await fetchRange(locals.supabase, host.id, query.from, query.to), query.metric);
      },
      { tier: settled ? 'low' : 'high' },
    );
    return cachedJson(request, { metrics: series.points }, settled ? 'private, max-age=300' : 'private, no-cache', {
      'x-cache': missed ? 'miss' : 'hit',
      ...(series.resolution ? { 'x-resolution': series.resolution } : {}),
    });
  } catch (err) {
    return errorResponse(err, err instanceof ApiError && err.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
};

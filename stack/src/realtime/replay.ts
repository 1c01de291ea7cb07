/** `config.broadcast.replay`: stored broadcasts of a private topic sent again at join, as hosted Realtime.Messages.replay does. */
import type pg from 'pg';
import type { UserBroadcast } from './hub.ts';

/** Hosted caps a replay at 25 messages; the client default is 10. */
const HARD_LIMIT = 25;
const DEFAULT_LIMIT = 10;

/** Parses the replay option; null when absent, an error text when malformed. */
export function replayOption(config: unknown): { since: number; limit: number } | null | string {
  const replay = (config as { broadcast?: { replay?: unknown } } | undefined)?.broadcast?.replay;
  if (replay === undefined || replay === null) return null;
  if (typeof replay !== 'object') return 'Replay params are not valid';
  const { since = 0, limit = DEFAULT_LIMIT } = replay as { since?: unknown; limit?: unknown };
  if (!Number.isInteger(since) || !Number.isInteger(limit)) return 'Replay params are not valid';
  return { since: since as number, limit: Math.max(1, Math.min(limit as number, HARD_LIMIT)) };
}

/** The newest `limit` broadcasts of the private topic since `since` (ms), oldest first, marked as replayed. */
export async function loadReplay(
  pool: pg.Pool,
  topic: string,
  since: number,
  limit: number,
): Promise<(UserBroadcast & { id: string })[]> {
  const res = await pool.query<{ id: string; event: string | null; payload: unknown; binary: string | null }>(
    `select id, event, payload, encode(binary_payload, 'base64') as binary
       from realtime.messages
      where topic = $1 and private is true and extension = 'broadcast'
        and inserted_at >= to_timestamp($2 / 1000.0)::timestamp and inserted_at < (now() + interval '1 minute')::timestamp
      order by inserted_at desc
      limit $3`,
    [topic, since, limit],
  );
  return res.rows
    .reverse()
    .filter((r) => r.event !== null)
    .map((r) => ({
      id: r.id,
      event: r.event!,
      encoding: r.binary === null ? ('json' as const) : ('binary' as const),
      payload: r.binary === null ? Buffer.from(JSON.stringify(r.payload)) : Buffer.from(r.binary, 'base64'),
      meta: { replayed: true, id: r.id },
    }));
}

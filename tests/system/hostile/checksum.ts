/** Checksums of one team's rows in every public table, so a test can prove hostile requests changed nothing. */
import type pg from 'pg';

// Rollups and compacted hours are derived from the samples by pg_cron every minute, not by requests: a rollup
// landing mid-test is not a change a hostile request made (it failed CI once that way), and any change to the
// samples themselves still shows in host_samples. The same holds for the per-mount/disk/interface/container
// rollups (host_series_*) and for the fleet snapshots cache-snapshots persists to `metrics` on a schedule.
const DERIVED = /^((host|app|db)_samples|host_series)_(1m|1h|compact)$/;
const SCHEDULED_SNAPSHOTS = `and t.key not like 'vibe:%:team:%:servers'`;

/** md5 of the team's rows per table (tables with team_id, or host_id of the team's hosts); other teams' writes don't count. */
export async function teamChecksums(db: pg.Pool | pg.Client, teamId: string): Promise<Record<string, string>> {
  const { rows: tables } = await db.query<{ name: string; scope: 'team_id' | 'host_id' }>(
    `select c.relname as name, case when bool_or(a.attname = 'team_id') then 'team_id' else 'host_id' end as scope
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attname in ('team_id', 'host_id')
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      group by c.relname order by c.relname`,
  );
  const out: Record<string, string> = {};
  for (const { name, scope } of tables) {
    if (DERIVED.test(name)) continue;
    const where =
      (scope === 'team_id' ? 't.team_id = $1' : 't.host_id in (select id from public.hosts where team_id = $1)') +
      (name === 'metrics' ? ` ${SCHEDULED_SNAPSHOTS}` : '');
    const { rows } = await db.query<{ sum: string | null; n: number }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as sum, count(*)::int as n from public.${name} t where ${where}`,
      [teamId],
    );
    out[name] = `${rows[0]!.n}:${rows[0]!.sum ?? '-'}`;
  }
  return out;
}

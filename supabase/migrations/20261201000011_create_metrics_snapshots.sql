-- The seed's snapshot table: getData(key, fetchFn, { persistToDatabase: true }) writes the fresh
-- value it cached in Upstash here as (key, data, timestamp), scoped to a team.

create table public.metrics (
  id bigint generated always as identity primary key,
  team_id uuid not null references public.teams (id) on delete cascade,
  key text not null constraint metrics_key_length check (char_length(key) between 1 and 200),
  data jsonb not null constraint metrics_data_at_most_1mb check (pg_column_size(data) <= 1048576),
  timestamp timestamptz not null default now()
    constraint metrics_timestamp_at_most_5_minutes_ahead check (timestamp <= now() + interval '5 minutes')
);
comment on table public.metrics is 'Persisted cache snapshots (key, data, timestamp) written by getData(..., { persistToDatabase: true }).';
create index metrics_team_id_key_timestamp_idx on public.metrics (team_id, key, timestamp desc);

alter table public.metrics enable row level security;
create policy "Members can read their team's metric snapshots" on public.metrics
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Members can save metric snapshots for their team" on public.metrics
  for insert to authenticated with check (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can remove their team's metric snapshots" on public.metrics
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

grant select, insert, delete on public.metrics to authenticated;
grant all on public.metrics to service_role;

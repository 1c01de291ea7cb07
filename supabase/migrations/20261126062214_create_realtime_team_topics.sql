-- Private Realtime topics: the ingest triggers broadcast to `team:<team_id>`; only members of that
-- team may join it (supabase.channel('team:<id>', { config: { private: true } })).
-- No insert policy: clients cannot broadcast into a team topic; only the database does.

create policy "Members can receive their team's broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select realtime.topic()) like 'team:%'
    and (select realtime.topic()) = any (
      select 'team:' || t from unnest((select private.member_team_ids())::uuid[]) t
    )
  );

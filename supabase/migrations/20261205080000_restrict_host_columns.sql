-- Admins change what a person edits about a host: its name, slug, labels and sample interval.
-- agent_user_id (written by attach_agent_user at enrollment), last_seen_at (the ingest triggers),
-- team_id, id and created_at are not theirs to set. Before this, an admin could point
-- agent_user_id at any user's id and re-enroll the host: enroll-agent then deleted that user with
-- the service key. Column privileges are checked before RLS, so a PATCH or POST naming another
-- column fails with 42501 (PostgREST: 403 "permission denied for table hosts").
revoke insert, update on public.hosts from anon, authenticated;
grant insert (team_id, name, slug, labels, sample_interval_s) on public.hosts to authenticated;
grant update (name, slug, labels, sample_interval_s) on public.hosts to authenticated;

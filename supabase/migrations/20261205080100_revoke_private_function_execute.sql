-- Nothing in `private` is executable by the API roles unless a policy or an RPC they call needs it.
--
-- The first migration's `alter default privileges in schema private revoke execute on functions from
-- public` had no effect: per-schema default privileges only add to the global ones, and EXECUTE to
-- PUBLIC is a global default. So every private function created without its own revoke was executable
-- by anon, including drop_daily_partitions_before (security definer). Revoke function by function,
-- then make "no EXECUTE for PUBLIC" the default for functions the migration role creates from here on
-- (in every schema: grant execute explicitly to whoever needs a new function, as for tables).
-- tests/system/security-catalog.test.ts lists the functions the API roles may execute, with the reason.

alter default privileges revoke execute on functions from public;

-- Policy helpers (RLS runs them as the caller) and functions reached from security invoker RPCs:
-- authenticated only; anon has no policy and no RPC that needs them.
revoke execute on function
  private.member_team_ids(), private.admin_team_ids(), private.owner_team_ids(), private.is_agent(),
  private.agent_host_id(), private.member_host_ids(),
  private.new_enrollment_token(uuid, interval),
  private.alert_step(text, timestamptz, timestamptz, text, double precision, double precision, interval, interval, double precision, timestamptz),
  private.decode_host_hour(bytea, integer[]), private.read_varint(bytea, integer),
  private.isum(bigint)
  from public, anon;
grant execute on function
  private.member_team_ids(), private.admin_team_ids(), private.owner_team_ids(), private.is_agent(),
  private.agent_host_id(), private.member_host_ids(),
  private.new_enrollment_token(uuid, interval),
  private.alert_step(text, timestamptz, timestamptz, text, double precision, double precision, interval, interval, double precision, timestamptz),
  private.decode_host_hour(bytea, integer[]), private.read_varint(bytea, integer),
  private.isum(bigint)
  to authenticated;
-- decode_host_hour sums deltas with private.isum, which was granted to no one: members' metrics_range
-- over compacted hours failed with "permission denied for function isum".
grant execute on function private.isum(bigint) to service_role;

-- Trigger functions: a trigger fires without an EXECUTE check, so nobody needs the privilege.
revoke execute on function
  private.add_team_creator(), private.default_host_slug(), private.close_rule_alerts(), private.touch_updated_at(),
  private.on_host_samples_inserted(), private.on_app_samples_inserted(), private.on_db_samples_inserted(),
  private.add_team_settings(), private.on_notifications_inserted(), private.on_host_latest_changed()
  from public, anon, authenticated;

-- Server-only work (pg_cron, the ingest triggers, the service-role RPCs), run as the owner.
revoke execute on function
  private.ensure_daily_partitions(regclass, date, date),
  private.drop_daily_partitions_before(regclass, date, boolean),
  private.is_silenced(uuid, uuid, uuid, jsonb),
  private.record_alert_event(public.alert_rules, uuid, text, text, text, double precision, timestamptz, text),
  private.evaluate_rules(jsonb),
  private.check_hosts_down(),
  private.rollup_samples(text, timestamptz, timestamptz),
  private.varint(bigint),
  private.encode_host_hour(uuid, timestamptz),
  private.compact_host_samples(timestamptz),
  private.run_maintenance(),
  private.configure_edge_functions(text, text),
  private.edge_function_endpoint(),
  private.invoke_edge_function(text, jsonb, integer),
  private.hour_of_week(timestamptz),
  private.rule_covers_host(public.alert_rules, public.hosts),
  private.sample_metric(public.host_samples, text),
  private.rollup_metric(public.host_samples_1m, text),
  private.bit_width(bigint),
  private.zigzag_varint(bigint),
  private.pack_bits(bit varying),
  private.gcd_agg(bigint),
  private.bitcat_agg(bit varying)
  from public, anon, authenticated;

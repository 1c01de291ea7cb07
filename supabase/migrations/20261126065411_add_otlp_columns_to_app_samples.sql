-- Application RED metrics received by the agent over OpenTelemetry (OTLP): one app_samples row per
-- host, service, route and send interval, kind 'app'. check_name stays the row's key
-- ("<service> <route>", cut to 100 characters with a hash); these columns keep the parts whole and
-- add the request count the rates were computed from.
--
-- RLS is unchanged: the table's policies already let an agent insert only its own host's rows and
-- members read their team's. New columns on a partitioned table reach every partition.

alter table public.app_samples
  add column service text constraint app_samples_service_length check (char_length(service) between 1 and 100),
  add column route text constraint app_samples_route_length check (char_length(route) between 1 and 300),
  add column request_count bigint constraint app_samples_request_count_non_negative check (request_count >= 0);

comment on column public.app_samples.service is 'OpenTelemetry service.name of an application (kind app).';
comment on column public.app_samples.route is 'Route within the service: method and http.route or a normalised path ("GET /users/{id}"), or "other" past the route cap.';
comment on column public.app_samples.request_count is 'Requests in the interval the row covers (throughput_rps = request_count / interval).';

-- The host page lists a host's services and charts one over time.
create index app_samples_host_service_ts on public.app_samples (host_id, service, ts) where service is not null;

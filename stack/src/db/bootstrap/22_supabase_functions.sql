-- Database Webhooks as `supabase start` sets them up (CLI template webhook.sql): the
-- supabase_functions schema, its hooks audit table, the supabase_functions.http_request() trigger
-- function on top of pg_net, and the grants that let any API role fire a webhook.
-- Idempotent: run on every stack start.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'supabase_functions_admin') then
    create role supabase_functions_admin noinherit createrole login noreplication;
  end if;
end
$$;

create schema if not exists supabase_functions authorization supabase_admin;
grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions grant all on sequences to postgres, anon, authenticated, service_role;

create table if not exists supabase_functions.migrations (
  version text primary key,
  inserted_at timestamptz not null default now()
);

create table if not exists supabase_functions.hooks (
  id bigserial primary key,
  hook_table_id integer not null,
  hook_name text not null,
  created_at timestamptz not null default now(),
  request_id bigint
);
create index if not exists supabase_functions_hooks_request_id_idx on supabase_functions.hooks using btree (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx on supabase_functions.hooks using btree (hook_table_id, hook_name);
comment on table supabase_functions.hooks is 'Supabase Functions Hooks: Audit trail for triggered hooks.';

-- Trigger arguments: url (or an edge function name), method, headers json, params json, timeout ms.
-- POST sends {type, table, schema, record, old_record}; GET sends params only.
create or replace function supabase_functions.http_request() returns trigger language plpgsql as $$
declare
  request_id bigint;
  payload jsonb;
  url text := tg_argv[0]::text;
  method text := tg_argv[1]::text;
  headers jsonb default '{}'::jsonb;
  params jsonb default '{}'::jsonb;
  timeout_ms integer default 1000;
  base_url text;
  service_key text;
begin
  if url is null or url = 'null' then
    raise exception 'url argument is missing';
  end if;
  if method is null or method = 'null' then
    raise exception 'method argument is missing';
  end if;

  -- A bare name means an edge function, resolved through Vault secrets as the CLI does.
  if url not ilike 'http://%' and url not ilike 'https://%' then
    if not exists (select 1 from pg_namespace where nspname = 'vault') then
      raise exception 'Edge function webhooks require vault extension. Install vault or use full URL.';
    end if;
    execute 'select decrypted_secret from vault.decrypted_secrets where name = $1'
      into base_url using 'supabase_functions_url';
    if base_url is null then
      raise exception 'Vault secret "supabase_functions_url" not found';
    end if;
    execute 'select decrypted_secret from vault.decrypted_secrets where name = $1'
      into service_key using 'supabase_service_role_key';
    if service_key is null then
      raise exception 'Vault secret "supabase_service_role_key" not found';
    end if;
    url := rtrim(base_url, '/') || '/' || ltrim(url, '/');
  end if;

  if tg_argv[2] is null or tg_argv[2] = 'null' then
    headers := '{"Content-Type": "application/json"}'::jsonb;
  else
    headers := tg_argv[2]::jsonb;
  end if;
  if service_key is not null then
    headers := headers || jsonb_build_object('Authorization', 'Bearer ' || service_key);
  end if;
  if tg_argv[3] is null or tg_argv[3] = 'null' then
    params := '{}'::jsonb;
  else
    params := tg_argv[3]::jsonb;
  end if;
  if tg_argv[4] is null or tg_argv[4] = 'null' then
    timeout_ms := 1000;
  else
    timeout_ms := tg_argv[4]::integer;
  end if;

  case
    when method = 'GET' then
      select http_get into request_id from net.http_get(url, params, headers, timeout_ms);
    when method = 'POST' then
      payload := jsonb_build_object(
        'old_record', old,
        'record', new,
        'type', tg_op,
        'table', tg_table_name,
        'schema', tg_table_schema
      );
      select http_post into request_id from net.http_post(url, payload, params, headers, timeout_ms);
    else
      raise exception 'method argument % is invalid', method;
  end case;

  insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
  values (tg_relid, tg_name, request_id);

  return new;
end
$$;

grant all privileges on schema supabase_functions to supabase_functions_admin;
grant all privileges on all tables in schema supabase_functions to supabase_functions_admin;
grant all privileges on all sequences in schema supabase_functions to supabase_functions_admin;
alter role supabase_functions_admin set search_path = "supabase_functions";
alter table supabase_functions.migrations owner to supabase_functions_admin;
alter table supabase_functions.hooks owner to supabase_functions_admin;
alter function supabase_functions.http_request() owner to supabase_functions_admin;
grant supabase_functions_admin to postgres;

alter function supabase_functions.http_request() security definer;
alter function supabase_functions.http_request() set search_path = supabase_functions;
revoke all on function supabase_functions.http_request() from public;
grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;

insert into supabase_functions.migrations (version)
values ('initial'), ('20210809183423_update_grants'), ('20241214000000_http_request_edge_support')
on conflict do nothing;

-- pg_net access for API roles, now and whenever the extension is (re)created.
create or replace function extensions.grant_pg_net_access() returns event_trigger language plpgsql as $$
begin
  if exists (
    select 1 from pg_event_trigger_ddl_commands() as ev
    join pg_extension as ext on ev.objid = ext.oid
    where ext.extname = 'pg_net'
  ) then
    perform extensions.apply_pg_net_grants();
  end if;
end
$$;
comment on function extensions.grant_pg_net_access() is 'Grants access to pg_net';

create or replace function extensions.apply_pg_net_grants() returns void language plpgsql as $$
begin
  grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
  alter function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) security definer;
  alter function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) security definer;
  alter function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) set search_path = net;
  alter function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) set search_path = net;
  revoke all on function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) from public;
  revoke all on function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) from public;
  grant execute on function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer)
    to supabase_functions_admin, postgres, anon, authenticated, service_role;
  grant execute on function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer)
    to supabase_functions_admin, postgres, anon, authenticated, service_role;
end
$$;
revoke all on function extensions.apply_pg_net_grants() from public;

do $$
begin
  if not exists (select 1 from pg_event_trigger where evtname = 'issue_pg_net_access') then
    create event trigger issue_pg_net_access on ddl_command_end when tag in ('CREATE EXTENSION')
      execute function extensions.grant_pg_net_access();
  end if;
  if exists (select 1 from pg_extension where extname = 'pg_net') then
    perform extensions.apply_pg_net_grants();
  end if;
end
$$;

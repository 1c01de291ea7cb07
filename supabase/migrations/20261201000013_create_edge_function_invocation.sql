-- How the database calls the project's edge functions (pg_net from triggers, pg_cron schedules).
-- The functions base URL and the key to send live in one place, read by private.invoke_edge_function:
--   1. private.edge_function_settings (one row): the local stack writes it on every start;
--      on hosted Supabase set it once with select private.configure_edge_functions(url, key);
--   2. otherwise Vault secrets named project_url and service_role_key (Supabase's scheduling guide).
-- With neither, invocations are skipped with a notice: an insert never fails because a URL is missing.

create table private.edge_function_settings (
  id boolean primary key default true constraint edge_function_settings_single_row check (id),
  -- e.g. https://<project-ref>.supabase.co/functions/v1 (no trailing slash needed)
  functions_url text not null constraint edge_function_settings_url_http check (functions_url ~ '^https?://'),
  -- service_role JWT or sb_secret_… key; sent as Authorization: Bearer and apikey
  service_key text not null constraint edge_function_settings_key_length check (char_length(service_key) between 20 and 2000),
  updated_at timestamptz not null default now()
);
comment on table private.edge_function_settings is
  'Where pg_net reaches the edge functions: base URL (…/functions/v1) and the service key to send. One row.';
revoke all on private.edge_function_settings from public, anon, authenticated, service_role;

-- Sets (or replaces) the functions URL and key; the local stack calls it at start-up.
create function private.configure_edge_functions(p_functions_url text, p_service_key text)
returns void
language sql security definer set search_path = ''
as $$
  insert into private.edge_function_settings (id, functions_url, service_key, updated_at)
  values (true, rtrim(p_functions_url, '/'), p_service_key, now())
  on conflict (id) do update set functions_url = excluded.functions_url, service_key = excluded.service_key,
    updated_at = now()
$$;
comment on function private.configure_edge_functions(text, text) is
  'Stores the edge functions base URL (…/functions/v1) and service key used by pg_net invocations.';

-- The base URL and key, from the settings row or else Vault; nulls when neither is configured.
create function private.edge_function_endpoint(out functions_url text, out service_key text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  select s.functions_url, s.service_key into functions_url, service_key from private.edge_function_settings s;
  if functions_url is null and to_regclass('vault.decrypted_secrets') is not null then
    execute $q$select max(decrypted_secret) filter (where name = 'project_url'),
                      max(decrypted_secret) filter (where name = 'service_role_key')
               from vault.decrypted_secrets where name in ('project_url', 'service_role_key')$q$
      into functions_url, service_key;
    if functions_url is not null then
      functions_url := rtrim(functions_url, '/') || '/functions/v1';
    end if;
  end if;
end
$$;

-- Queues POST <functions_url>/<name> through pg_net (sent after commit). Returns the pg_net request
-- id, or null when pg_net or the endpoint is missing (with a notice saying what to configure).
create function private.invoke_edge_function(p_name text, p_body jsonb default '{}', p_timeout_ms integer default 10000)
returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  v_endpoint record;
  v_id bigint;
begin
  if to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') is null then
    raise notice 'Cannot invoke edge function %: pg_net is not installed (create extension pg_net)', p_name;
    return null;
  end if;
  select * into v_endpoint from private.edge_function_endpoint();
  if v_endpoint.functions_url is null or v_endpoint.service_key is null then
    raise notice 'Cannot invoke edge function %: no endpoint configured; run select private.configure_edge_functions(''https://<ref>.supabase.co/functions/v1'', ''<service key>'')', p_name;
    return null;
  end if;
  execute 'select net.http_post(url := $1, body := $2, headers := $3, timeout_milliseconds := $4)'
    into v_id
    using v_endpoint.functions_url || '/' || p_name, p_body,
      jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_endpoint.service_key,
        'apikey', v_endpoint.service_key),
      p_timeout_ms;
  return v_id;
end
$$;
comment on function private.invoke_edge_function(text, jsonb, integer) is
  'POSTs to an edge function through pg_net after commit; null (with a notice) when not configured.';

revoke all on function private.configure_edge_functions(text, text), private.edge_function_endpoint(),
  private.invoke_edge_function(text, jsonb, integer) from public, anon, authenticated, service_role;

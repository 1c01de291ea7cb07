-- pg_cron 1.6's SQL interface, emulated for the local stack: same schema, tables, functions, grants and
-- error messages as citusdata/pg_cron, written in plpgsql. The stack's scheduler (stack/src/scheduler)
-- reads cron.job, runs due commands and records them in cron.job_run_details.

create schema cron;

create sequence cron.jobid_seq;
create table cron.job (
  jobid bigint primary key default nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  -- inet_server_port() is null over a Unix socket; fall back to the configured port.
  nodeport int not null default coalesce(inet_server_port(), current_setting('port')::int),
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);
-- The functions below run as their caller (pg_cron's C code switches to the extension owner instead);
-- the policy keeps every role to its own jobs, as pg_cron's permission checks do.
grant select, insert, update, delete on cron.job to public;
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);

create sequence cron.runid_seq;
create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
grant select, delete on cron.job_run_details to public;
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);

grant select, usage on sequence cron.jobid_seq to public;
grant select on sequence cron.runid_seq to public;

select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

-- Tells the scheduler to reload cron.job (delivered at commit), like pg_cron's job cache invalidation.
create function cron.job_cache_invalidate() returns trigger language plpgsql as $$
begin
  perform pg_notify('cron_job_cache_invalidate', '');
  return null;
end
$$;
create trigger cron_job_cache_invalidate
  after insert or update or delete or truncate on cron.job
  for each statement execute function cron.job_cache_invalidate();

-- True when one comma-separated element of a cron field is valid (Vixie cron rules as pg_cron applies
-- them: `*`, `n`, `n-m`, `*/s`, `n-m/s`; names for months and weekdays; no `n/s`; 0 < s <= high).
create function cron._valid_element(element text, low int, high int, names text[]) returns boolean
language plpgsql immutable as $$
declare
  m text[];
  a int;
  b int;
  step int;
begin
  m := regexp_match(element, '^(\*|[0-9a-z]+)(?:-([0-9a-z]+))?(?:/([0-9]+))?$');
  if m is null then return false; end if;
  if m[1] = '*' then
    if m[2] is not null then return false; end if;
    a := low; b := high;
  else
    if m[2] is null and m[3] is not null then return false; end if;
    a := case when m[1] ~ '^[0-9]+$' then m[1]::int else array_position(names, m[1]) - 1 + low end;
    b := case when m[2] is null then a when m[2] ~ '^[0-9]+$' then m[2]::int else array_position(names, m[2]) - 1 + low end;
  end if;
  if a is null or b is null or a < low or a > high or b < low or b > high or a > b then return false; end if;
  if m[3] is not null then
    step := m[3]::int;
    if step <= 0 or step > high then return false; end if;
  end if;
  return true;
exception when numeric_value_out_of_range then
  return false;
end
$$;

-- Raises pg_cron's error unless the schedule is a five-field cron expression, an @keyword or '[1-59] seconds'.
create function cron._validate_schedule(schedule text) returns void language plpgsql immutable as $$
declare
  s text := lower(btrim(coalesce(schedule, '')));
  fields text[];
  lows int[] := array[0, 0, 1, 1, 0];
  highs int[] := array[59, 23, 31, 12, 7];
  months text[] := array['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'];
  days text[] := array['sun','mon','tue','wed','thu','fri','sat'];
  element text;
  ok boolean := true;
begin
  if s ~ '^[0-9]{1,9}\s*seconds?$' then
    ok := (substring(s from '^[0-9]+'))::int between 1 and 59;
  elsif s ~ '^@' then
    ok := s in ('@reboot', '@restart', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly');
  else
    fields := regexp_split_to_array(s, '\s+');
    if array_length(fields, 1) <> 5 then
      ok := false;
    else
      for i in 1..5 loop
        continue when i = 3 and fields[3] = '$';
        foreach element in array string_to_array(fields[i], ',') loop
          if not cron._valid_element(element, lows[i], highs[i],
                                     case i when 4 then months when 5 then days else '{}'::text[] end) then
            ok := false;
          end if;
        end loop;
      end loop;
    end if;
  end if;
  if not ok then
    raise exception 'invalid schedule: %', schedule
      using errcode = 'invalid_parameter_value',
            hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
  end if;
end
$$;

-- Raises pg_cron's errors unless the role exists and may log in (jobs run as that role).
create function cron._check_job_role(username text) returns void language plpgsql stable as $$
declare
  can_login boolean;
begin
  select rolcanlogin into can_login from pg_roles where rolname = username;
  if not found then
    raise exception 'role "%" does not exist', username;
  end if;
  if not can_login then
    raise exception 'role "%" can not log in', username
      using detail = 'Jobs may only be run by roles that have the LOGIN attribute.';
  end if;
end
$$;

create function cron.schedule(schedule text, command text) returns bigint
language plpgsql strict as $$
declare
  id bigint;
begin
  perform cron._validate_schedule($1);
  insert into cron.job (schedule, command, username) values ($1, $2, current_user) returning jobid into id;
  return id;
end
$$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

-- Named jobs are upserted per (jobname, username): scheduling the same name again replaces it.
create function cron.schedule_in_database(job_name text, schedule text, command text, database text,
                                          username text default null, active boolean default true)
returns bigint language plpgsql as $$
declare
  id bigint;
  owner text := current_user;
begin
  if $1 is null then raise exception 'job_name can not be NULL'; end if;
  if $2 is null then raise exception 'schedule can not be NULL'; end if;
  if $3 is null then raise exception 'command can not be NULL'; end if;
  perform cron._validate_schedule($2);
  if $5 is not null then
    if not (select rolsuper from pg_roles where rolname = current_user) then
      raise exception 'must be superuser to create a job for another role';
    end if;
    perform cron._check_job_role($5);
    owner := $5;
  end if;
  if not exists (select 1 from pg_database where datname = coalesce($4, current_database())) then
    raise exception 'database "%" does not exist', $4 using errcode = 'undefined_database';
  end if;
  insert into cron.job as j (schedule, command, database, username, active, jobname)
  values ($2, $3, coalesce($4, current_database()), owner, coalesce($6, true), $1)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command, database = excluded.database
  returning j.jobid into id;
  return id;
end
$$;
comment on function cron.schedule_in_database(text, text, text, text, text, boolean) is 'schedule a pg_cron job';
revoke all on function cron.schedule_in_database(text, text, text, text, text, boolean) from public;

create function cron.schedule(job_name text, schedule text, command text) returns bigint
language plpgsql as $$
declare
  id bigint;
begin
  if $1 is null then raise exception 'job_name can not be NULL'; end if;
  if $2 is null then raise exception 'schedule can not be NULL'; end if;
  if $3 is null then raise exception 'command can not be NULL'; end if;
  perform cron._validate_schedule($2);
  insert into cron.job as j (schedule, command, username, jobname) values ($2, $3, current_user, $1)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command, database = excluded.database
  returning j.jobid into id;
  return id;
end
$$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.unschedule(job_id bigint) returns boolean language plpgsql strict as $$
begin
  delete from cron.job where jobid = $1;
  if not found then
    raise exception 'could not find valid entry for job %', $1;
  end if;
  return true;
end
$$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text) returns boolean language plpgsql strict as $$
begin
  delete from cron.job where jobname = $1 and username = current_user;
  if not found then
    raise exception 'could not find valid entry for job ''%''', $1;
  end if;
  return true;
end
$$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(job_id bigint, schedule text default null, command text default null,
                               database text default null, username text default null,
                               active boolean default null)
returns void language plpgsql as $$
declare
  is_super boolean := (select rolsuper from pg_roles where rolname = current_user);
begin
  if $1 is null then raise exception 'job_id can not be NULL'; end if;
  if $2 is null and $3 is null and $4 is null and $5 is null and $6 is null then
    raise exception 'no updates specified'
      using hint = 'You must specify at least one job attribute to change when calling alter_job';
  end if;
  if $5 is not null then
    if not is_super then raise exception 'must be superuser to alter username'; end if;
    perform cron._check_job_role($5);
  end if;
  if $2 is not null then perform cron._validate_schedule($2); end if;
  if $4 is not null and not exists (select 1 from pg_database where datname = $4) then
    raise exception 'database "%" does not exist', $4 using errcode = 'undefined_database';
  end if;
  update cron.job as j
     set schedule = coalesce($2, j.schedule),
         command = coalesce($3, j.command),
         database = coalesce($4, j.database),
         username = coalesce($5, j.username),
         active = coalesce($6, j.active)
   where j.jobid = $1 and (is_super or j.username = current_user);
  if not found then
    raise exception 'Job % does not exist or you don''t own it', $1;
  end if;
end
$$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean)
  is 'Alter the job identified by job_id. Any option left as NULL will not be modified.';
revoke all on function cron.alter_job(bigint, text, text, text, text, boolean) from public;

-- Enrollment attempts per client address in fixed windows, so enrollment tokens cannot be guessed
-- at speed. enroll-agent takes one attempt before every token lookup and gives it back when the
-- enrollment succeeds (supabase/functions/enroll-agent/rate-limit.ts says why and which limits).
-- Kept in Postgres so the limit holds hosted, across function instances, without another service.

create table private.enrollment_attempts (
  -- An IPv4 address, an IPv6 /64, or 'unknown' (see enroll-agent/client-address.ts).
  address text not null constraint enrollment_attempts_address_length check (char_length(address) between 1 and 100),
  window_start timestamptz not null,
  attempts integer not null default 0,
  primary key (address, window_start)
);
comment on table private.enrollment_attempts is 'Enrollment attempts per client address and window (service role only, through take_enrollment_attempt).';
create index enrollment_attempts_window_start_idx on private.enrollment_attempts (window_start);
revoke all on private.enrollment_attempts from public, anon, authenticated;

-- Counts one attempt (atomically: parallel guesses each get their own number) and says whether it is
-- within p_limit. Windows that have ended are removed on the way: nothing reads them again.
create function public.take_enrollment_attempt(p_address text, p_limit integer, p_window_seconds integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_window timestamptz;
  v_attempts integer;
begin
  if p_address is null or char_length(p_address) not between 1 and 100 then
    raise exception 'Cannot count the enrollment attempt: p_address must be 1..100 characters' using errcode = '22023';
  end if;
  if p_limit is null or p_limit not between 1 and 100000 or p_window_seconds is null or p_window_seconds not between 1 and 86400 then
    raise exception 'Cannot count the enrollment attempt: p_limit must be 1..100000 and p_window_seconds 1..86400' using errcode = '22023';
  end if;
  v_window := to_timestamp(floor(extract(epoch from now()) / p_window_seconds) * p_window_seconds);
  delete from private.enrollment_attempts a where a.window_start < v_window;
  insert into private.enrollment_attempts as a (address, window_start, attempts) values (p_address, v_window, 1)
  on conflict (address, window_start) do update set attempts = a.attempts + 1
  returning a.attempts into v_attempts;
  return jsonb_build_object(
    'allowed', v_attempts <= p_limit,
    'attempts', v_attempts,
    'window_start', v_window,
    'retry_after', greatest(1, ceil(extract(epoch from v_window + make_interval(secs => p_window_seconds) - now())))::integer
  );
end
$$;
comment on function public.take_enrollment_attempt(text, integer, integer) is
  'enroll-agent only (service role): counts one enrollment attempt of a client address; {allowed, attempts, window_start, retry_after}.';

-- Gives back the attempt of an enrollment that succeeded: only failures use up the limit.
create function public.refund_enrollment_attempt(p_address text, p_window_start timestamptz)
returns void
language sql security definer set search_path = ''
as $$
  update private.enrollment_attempts a set attempts = greatest(a.attempts - 1, 0)
  where a.address = p_address and a.window_start = p_window_start
$$;
comment on function public.refund_enrollment_attempt(text, timestamptz) is
  'enroll-agent only (service role): returns the attempt of a successful enrollment.';

revoke all on function public.take_enrollment_attempt(text, integer, integer), public.refund_enrollment_attempt(text, timestamptz)
  from public, anon, authenticated;
grant execute on function public.take_enrollment_attempt(text, integer, integer), public.refund_enrollment_attempt(text, timestamptz)
  to service_role;

/** The realistic host model the storage benches generate in SQL. */

/**
 * A realistic host, as the agent reports it ($1 host, $2 start, $3 samples, $4 interval in s), for the storage figure:
 * - ts: on the interval boundary plus 0–8 ms of timer jitter (the agent aligns samples like Prometheus scrapes);
 * - day: a diurnal load curve 0…1 that drives CPU, memory, load, disk and network;
 * - CPU % at the agent's 0.01: total = 15 + 45·day + noise of ±6 points + 2 % chance of a burst up to +30;
 *   user ≈ 70 % and system ≈ 22 % of it with their own noise, iowait and steal mostly near 0;
 * - load 1/5/15 at the kernel's 0.01: 8 cores × smoothed CPU, load_1 with ±0.3 noise, load_5/15 smoother;
 * - memory in KiB (/proc/meminfo): used = 6 GiB + 1 GiB·day + a random walk (30 % of samples move by up to
 *   ±2 MiB), available = total − used; swap used moves rarely (0.2 % of samples, ±4 MiB);
 * - disk used grows by 0–24 blocks of 4 KiB per sample; disk and network rates at the agent's 0.01 B/s:
 *   reads mostly idle with heavy-tailed bursts, writes 150–500 kB/s, rx 0.2–2 MB/s ±20 % with 1 % bursts ×5,
 *   tx ≈ 30 % of rx; iops follow the rates;
 * - connections: a random walk around 120 + 60·day; processes 290–316; uptime in whole seconds;
 *   temperature at the sensor's 0.1 °C.
 */
export const REALISTIC_SQL = `
  insert into host_samples (host_id, ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_count,
    load_1, load_5, load_15, mem_total, mem_used, mem_available, swap_total, swap_used, disk_total, disk_used,
    disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps, net_connections,
    uptime_s, process_count, temp_c)
  select $1, w.ts, w.cpu, greatest(0, least(w.cpu, round((w.cpu * 0.7 + random() - 0.5)::numeric, 2))),
    greatest(0, least(w.cpu, round((w.cpu * 0.22 + random() * 0.6 - 0.3)::numeric, 2))), round((random() ^ 3 * 4)::numeric, 2),
    round((random() ^ 6 * 0.3)::numeric, 2), 8,
    round((0.08 * w.smooth + random() * 0.6)::numeric, 2), round((0.08 * w.smooth + 0.1 * sin(w.g / 30.0) + 0.2)::numeric, 2),
    round((0.08 * w.smooth + 0.15)::numeric, 2),
    16318508::bigint * 1024, w.mem_kib * 1024, (16318508 - w.mem_kib) * 1024,
    4194300::bigint * 1024, greatest(0, 262144 + w.swap_walk) * 1024,
    121869824::bigint * 4096, (48828125 + w.disk_growth) * 4096,
    w.read_bps, w.write_bps, round((w.read_bps / 16000)::numeric, 2), round((w.write_bps / 8000 + random() * 5)::numeric, 2),
    w.rx_bps, round((w.rx_bps * (0.25 + random() * 0.1))::numeric, 2),
    greatest(0, 120 + round(60 * w.day) + w.conn_walk), 864000 + floor(w.g * $4 + random() * 0.01)::bigint,
    290 + round(20 * w.day)::int + (random() * 6)::int, round((42 + 15 * w.day + random())::numeric, 1)
  from (
    select v.*,
      least(100, greatest(0, round((15 + 45 * v.day + 4 * (v.r1 + v.r2 + v.r3 - 1.5) + v.burst)::numeric, 2))) as cpu,
      15 + 45 * v.day as smooth,
      greatest(1048576, 6291456 + round(1048576 * v.day)::bigint + v.mem_walk) as mem_kib,
      round((random() ^ 8 * 3e6 + 2000 * v.day)::numeric, 2) as read_bps,
      round((150000 + 250000 * v.day + random() * 100000)::numeric, 2) as write_bps,
      round(((200000 + 1800000 * v.day) * (0.8 + 0.4 * random()) * case when random() < 0.01 then 5 else 1 end)::numeric, 2) as rx_bps
    from (
      select g, $2::timestamptz + g * make_interval(secs => $4) + (random() * 8)::int * interval '1 ms' as ts,
        0.5 - 0.5 * cos(2 * pi() * g * $4 / 86400.0) as day,
        random() as r1, random() as r2, random() as r3,
        case when random() < 0.02 then random() * 30 else 0 end as burst,
        sum(case when random() < 0.3 then round((random() - 0.5) * 4096)::bigint else 0 end) over (order by g) as mem_walk,
        sum(case when random() < 0.002 then round((random() - 0.5) * 8192)::bigint else 0 end) over (order by g) as swap_walk,
        sum(floor(random() * 25)::bigint) over (order by g) as disk_growth,
        sum(floor(random() * 3)::int - 1) over (order by g) as conn_walk
      from generate_series(0, $3 - 1) g
    ) v
  ) w`;

/**
 * The webhook receiver failing (HTTP 503) for a while, then returning: the outbox retries with backoff through
 * pg_cron by itself and the notification is delivered exactly once after the receiver is back.
 * Time is injected instead of waited out: this stack's dispatch job ticks every second instead of every minute,
 * and each backoff is cut short by moving the row's next_attempt_at to now (the backoff lengths themselves are
 * checked in supabase/tests/functions-dispatch.test.ts). Nothing invokes the function directly: every retry is
 * pg_cron's. VIBE_FAULT_WEBHOOK_FAILED_ATTEMPTS sets how many attempts the outage fails (default 3).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStack } from '../../../testkit/src/fresh-stack.ts';
import { createTeamRow } from '../../../testkit/src/provision.ts';
import type { RunningStack } from '../../../stack/src/stack.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';

const FAILED_ATTEMPTS = Number(process.env.VIBE_FAULT_WEBHOOK_FAILED_ATTEMPTS || 3);
let stack: RunningStack;
let db: pg.Pool;
let receiver: http.Server;
let outageEndsAt = Infinity;
const deliveries: { at: number; status: number; key: string; events: number[] }[] = [];

beforeAll(async () => {
  // This file runs in its own process: lets the functions of this stack deliver to a local http receiver.
  process.env.VIBE_ALLOWED_DEV_HOSTS = '127.0.0.1';
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      const status = Date.now() < outageEndsAt ? 503 : 200;
      const parsed = JSON.parse(body || '{}') as { alerts?: { event_id: number }[] };
      deliveries.push({
        at: Date.now(),
        status,
        key: String(req.headers['idempotency-key'] ?? ''),
        events: (parsed.alerts ?? []).map((a) => a.event_id),
      });
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status === 200 ? 'ok' : 'receiver is down for maintenance');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  stack = await freshStack();
  db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
  // The injected clock, part 1: pg_cron's minute tick for the dispatcher becomes a one-second tick.
  await db.query(
    `select cron.alter_job(jobid, schedule := '1 seconds') from cron.job where jobname = 'vibe-dispatch-notifications'`,
  );
}, 180_000);
afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe('webhook receiver outage', () => {
  it(`delivers once after ${FAILED_ATTEMPTS} failed attempts, without help`, { timeout: 120_000 }, async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const teamId = await createTeamRow(db, 'fault-webhook');
    const host = await db.query<{ id: string }>(
      `insert into public.hosts (team_id, name) values ($1, 'web-1') returning id`,
      [teamId],
    );
    const channel = await db.query<{ id: string }>(
      `insert into public.channels (team_id, name, kind) values ($1, 'ops', 'webhook') returning id`,
      [teamId],
    );
    await db.query('insert into public.channel_secrets (channel_id, team_id, config) values ($1, $2, $3)', [
      channel.rows[0]!.id,
      teamId,
      { url },
    ]);
    await db.query(
      `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
       values ($1, 'CPU high', 'cpu_total', '>', 90, 'critical', 'host', $2, $3)`,
      [teamId, host.rows[0]!.id, [channel.rows[0]!.id]],
    );
    const outbox = async () =>
      (
        await db.query<{ status: string; attempts: number }>(
          'select status, attempts from public.notifications where channel_id = $1',
          [channel.rows[0]!.id],
        )
      ).rows[0];
    // The injected clock, part 2: the backoff is over once the failed attempt is recorded.
    const skipBackoff = () =>
      db.query(`update public.notifications set next_attempt_at = now() where channel_id = $1 and status = 'pending'`, [
        channel.rows[0]!.id,
      ]);
    await db.query('insert into public.host_samples (host_id, ts, cpu_total) values ($1, now(), 99)', [
      host.rows[0]!.id,
    ]);

    for (let k = 1; k <= FAILED_ATTEMPTS; k++) {
      await waitFor(
        async () => {
          const r = await outbox();
          return r?.status === 'pending' && r.attempts >= k;
        },
        { message: `failed attempt ${k} recorded`, timeoutMs: 30_000 },
      );
      if (k < FAILED_ATTEMPTS) await skipBackoff();
    }
    outageEndsAt = Date.now();
    await skipBackoff();
    const row = await waitFor(
      async () => {
        const r = await outbox();
        return r?.status === 'sent' || r?.status === 'failed' ? r : undefined;
      },
      { message: () => `delivery after the receiver returned: ${JSON.stringify(deliveries)}`, timeoutMs: 30_000 },
    );
    // Exactly once: the dispatcher keeps running every second; two more runs, and the calls they queued, send nothing.
    const runs = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from cron.job_run_details d join cron.job j using (jobid) where j.jobname = 'vibe-dispatch-notifications' and d.status = 'succeeded'`,
        )
      ).rows[0]!.n;
    const runsAtDelivery = await runs();
    await waitFor(async () => (await runs()) >= runsAtDelivery + 2, {
      message: 'two more dispatcher runs',
      timeoutMs: 30_000,
    });
    await waitFor(
      async () =>
        (await db.query<{ n: number }>('select count(*)::int as n from net.http_request_queue')).rows[0]!.n === 0,
      { message: 'the queued dispatcher calls to finish', timeoutMs: 30_000 },
    );
    const ok = deliveries.filter((d) => d.status === 200);
    const failed = deliveries.filter((d) => d.status !== 200);
    expect(row?.status, JSON.stringify(deliveries)).toBe('sent');
    expect(failed.length, 'every attempt during the outage failed').toBe(FAILED_ATTEMPTS);
    expect(ok, 'delivered exactly once').toHaveLength(1);
    expect(new Set(deliveries.map((d) => d.key)).size, 'every attempt carries the same idempotency key').toBe(1);
    expect(ok[0]!.at).toBeGreaterThanOrEqual(outageEndsAt);
    expect(row!.attempts).toBe(deliveries.length);
    process.stdout.write(
      `webhook outage: ${failed.length} failed attempts, delivered once ${Math.round((ok[0]!.at - outageEndsAt) / 1000)} s after the receiver returned\n`,
    );
  });
});

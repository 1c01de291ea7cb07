/**
 * The webhook receiver failing (HTTP 503) for a while, then returning: the outbox retries with backoff through
 * pg_cron by itself and the notification is delivered exactly once after the receiver is back.
 * VIBE_FAULT_WEBHOOK_OUTAGE_S sets the outage (default 60 s here; the figure is 300 s, about 9 minutes in all).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchStack } from '../../../bench/src/harness.ts';
import { createTeamRow } from '../../../bench/src/load/provision.ts';
import type { RunningStack } from '../../../stack/src/stack.ts';

const OUTAGE_S = Number(process.env.VIBE_FAULT_WEBHOOK_OUTAGE_S || 60);
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
      deliveries.push({ at: Date.now(), status, key: String(req.headers['idempotency-key'] ?? ''), events: (parsed.alerts ?? []).map((a) => a.event_id) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is down for maintenance');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  stack = await benchStack();
  db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
}, 180_000);
afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe('webhook receiver outage', () => {
  it(`delivers once after a ${OUTAGE_S} s outage, without help`, { timeout: (OUTAGE_S * 2 + 240) * 1000 }, async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const teamId = await createTeamRow(db, 'fault-webhook');
    const host = await db.query<{ id: string }>(`insert into public.hosts (team_id, name) values ($1, 'web-1') returning id`, [teamId]);
    const channel = await db.query<{ id: string }>(`insert into public.channels (team_id, name, kind) values ($1, 'ops', 'webhook') returning id`, [teamId]);
    await db.query('insert into public.channel_secrets (channel_id, team_id, config) values ($1, $2, $3)', [channel.rows[0]!.id, teamId, { url }]);
    await db.query(
      `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
       values ($1, 'CPU high', 'cpu_total', '>', 90, 'critical', 'host', $2, $3)`,
      [teamId, host.rows[0]!.id, [channel.rows[0]!.id]],
    );
    outageEndsAt = Date.now() + OUTAGE_S * 1000;
    await db.query('insert into public.host_samples (host_id, ts, cpu_total) values ($1, now(), 99)', [host.rows[0]!.id]);

    const deadline = outageEndsAt + (OUTAGE_S + 200) * 1000;
    let row: { status: string; attempts: number } | undefined;
    while (Date.now() < deadline) {
      row = (await db.query('select status, attempts from public.notifications where channel_id = $1', [channel.rows[0]!.id])).rows[0];
      if (row?.status === 'sent' || row?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 5000));
    const ok = deliveries.filter((d) => d.status === 200);
    const failed = deliveries.filter((d) => d.status !== 200);
    expect(row?.status, JSON.stringify(deliveries)).toBe('sent');
    expect(failed.length, 'the outage was never hit').toBeGreaterThan(0);
    expect(ok, 'delivered exactly once').toHaveLength(1);
    expect(new Set(deliveries.map((d) => d.key)).size, 'every attempt carries the same idempotency key').toBe(1);
    expect(ok[0]!.at).toBeGreaterThanOrEqual(outageEndsAt);
    expect(row!.attempts).toBe(deliveries.length);
    process.stdout.write(`webhook outage ${OUTAGE_S} s: ${failed.length} failed attempts, delivered once ${Math.round((ok[0]!.at - outageEndsAt) / 1000)} s after the receiver returned\n`);
  });
});

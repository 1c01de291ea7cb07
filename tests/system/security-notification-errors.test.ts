/**
 * A failed delivery tells team members only why in one word (`unreachable`, `http_error 500`, `blocked`, …):
 * the destination host and the receiver's reply stay with the team's admins (notification_error_details).
 * Checked through supabase-js as a viewer and as an admin, after real deliveries failed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/src/free-port.ts';
import { clientWith, createTeam, serviceClient, superuser, type TeamFixture } from '../../supabase/tests/helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const db = superuser();
const marker = `reply${randomUUID().replace(/-/g, '')}`;
let team: TeamFixture;
let viewer: SupabaseClient;
let admin: SupabaseClient;
let receiver: http.Server;
let receiverPort = 0;

beforeAll(async () => {
  team = await createTeam(db);
  viewer = clientWith(team.viewerToken);
  admin = clientWith(team.adminToken);
  // A receiver that fails with a reply an attacker would like to read (internal service banners, tokens).
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error ${marker}`);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await db.end();
});

/** A webhook channel to `url`, a rule on the team's host notifying it, and a breaching sample. */
async function failingDelivery(url: string): Promise<{ channelId: string; notificationId: number; lastError: string }> {
  const made = await admin
    .from('channels')
    .insert({ team_id: team.teamId, name: `hook-${randomUUID().slice(0, 8)}`, kind: 'webhook' })
    .select('id')
    .single();
  expect(made.error).toBeNull();
  const channelId = (made.data as { id: string }).id;
  expect(
    (await admin.from('channel_secrets').insert({ channel_id: channelId, team_id: team.teamId, config: { url } }))
      .error,
  ).toBeNull();
  await db.query(
    `insert into alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
     values ($1, $2, 'cpu_total', '>', 90, 'critical', 'host', $3, $4)`,
    [team.teamId, `CPU ${channelId.slice(0, 6)}`, team.hostId, [channelId]],
  );
  await db.query('insert into host_samples (host_id, ts, cpu_total) values ($1, clock_timestamp(), 99)', [team.hostId]);
  return waitFor(
    async () => {
      const { rows } = await db.query<{ id: number; last_error: string | null }>(
        'select id::int, last_error from notifications where channel_id = $1',
        [channelId],
      );
      return rows[0]?.last_error ? { channelId, notificationId: rows[0].id, lastError: rows[0].last_error } : undefined;
    },
    { message: 'the delivery to fail (else the outbox was not exercised)', timeoutMs: 60_000 },
  );
}

describe('notification failures', () => {
  it('show members a reason class only; the receiver reply stays with admins', { timeout: 120_000 }, async () => {
    const { channelId, notificationId } = await failingDelivery(`http://127.0.0.1:${receiverPort}/hooks/x`);
    const seen = await viewer.from('notifications').select('*').eq('channel_id', channelId);
    expect(seen.error).toBeNull();
    expect(seen.data).toHaveLength(1);
    expect(seen.data![0].last_error).toBe('http_error 500');
    expect(JSON.stringify(seen.data)).not.toContain(marker);
    expect(JSON.stringify(seen.data)).not.toContain(String(receiverPort));

    const hidden = await viewer.from('notification_error_details').select('*').eq('notification_id', notificationId);
    expect(hidden.error).toBeNull();
    expect(hidden.data).toEqual([]);

    const detail = await admin
      .from('notification_error_details')
      .select('notification_id, team_id, detail')
      .eq('notification_id', notificationId);
    expect(detail.error).toBeNull();
    expect(detail.data).toHaveLength(1);
    expect(detail.data![0]).toMatchObject({ notification_id: notificationId, team_id: team.teamId });
    expect(detail.data![0]!.detail).toMatch(/HTTP 500/);
    expect(detail.data![0]!.detail).toContain(marker);
  });

  it('do not show members the destination host of an unreachable receiver', { timeout: 120_000 }, async () => {
    const closed = await freePort();
    const { channelId, notificationId } = await failingDelivery(`http://127.0.0.1:${closed}/hooks/${marker}`);
    const seen = await viewer.from('notifications').select('last_error').eq('channel_id', channelId);
    expect(seen.data).toEqual([{ last_error: 'unreachable' }]);
    const detail = await admin
      .from('notification_error_details')
      .select('detail')
      .eq('notification_id', notificationId)
      .single();
    expect(detail.error).toBeNull();
    expect(detail.data!.detail).toContain(`127.0.0.1:${closed}`);
  });

  it('reach members as "failed" when a dispatcher still sends free text (deployed before the migration)', async () => {
    const { channelId } = await failingDelivery(`http://127.0.0.1:${await freePort()}/old`);
    // A row the dispatcher holds (leased for an hour, so no other run claims it meanwhile).
    const ev = await db.query<{ event_id: number }>('select event_id::int from notifications where channel_id = $1', [
      channelId,
    ]);
    const row = await db.query<{ id: number }>(
      `insert into notifications (team_id, event_id, channel_id, status, next_attempt_at)
       select $1, e.id, $2, 'sending', now() + interval '1 hour' from alert_events e where e.id <> $3 and e.team_id = $1 limit 1 returning id::int`,
      [team.teamId, channelId, ev.rows[0]!.event_id],
    );
    const id = row.rows[0]!.id;
    const settled = await serviceClient().rpc('settle_notifications', {
      p_ids: [id],
      p_error: `Webhook answered HTTP 500: ${marker}`,
    });
    expect(settled.error).toBeNull();
    const seen = await viewer.from('notifications').select('last_error').eq('id', id);
    expect(seen.data).toEqual([{ last_error: 'failed' }]);
    const detail = await admin.from('notification_error_details').select('detail').eq('notification_id', id).single();
    expect(detail.data?.detail).toBe(`Webhook answered HTTP 500: ${marker}`);
  });

  it('cannot be written or cleared by members, admins included', async () => {
    const { rows } = await db.query<{ notification_id: number }>(
      'select notification_id::int from notification_error_details where team_id = $1 limit 1',
      [team.teamId],
    );
    expect(rows.length, 'the tests above record details').toBeGreaterThan(0);
    const id = rows[0]!.notification_id;
    const write = await admin
      .from('notification_error_details')
      .update({ detail: 'x' })
      .eq('notification_id', id)
      .select();
    expect(write.error?.code).toBe('42501');
    const remove = await admin.from('notification_error_details').delete().eq('notification_id', id).select();
    expect(remove.error?.code).toBe('42501');
  });
});

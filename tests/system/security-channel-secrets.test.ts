/**
 * A viewer never learns a channel's secrets (webhook URL, signing secret, custom headers): not from
 * channel_secrets, not from any other table or view the API serves, not from the outbox's error text after a
 * failed delivery, and not from the team's Realtime channel. Admins write them but read back only which are set
 * (channel_settings); the database holds the marker (so it is real).
 */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/src/free-port.ts';
import { clientWith, createTeam, env, superuser, type TeamFixture } from '../../supabase/tests/helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const db = superuser();
const marker = `sekret${randomUUID().replace(/-/g, '')}`;
let team: TeamFixture;
let viewer: SupabaseClient;
let admin: SupabaseClient;
let realtimeViewer: SupabaseClient;
const heard: string[] = [];
let channelId = '';

beforeAll(async () => {
  team = await createTeam(db);
  viewer = clientWith(team.viewerToken);
  admin = clientWith(team.adminToken);
  realtimeViewer = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { accessToken: async () => team.viewerToken },
  });
  await realtimeViewer.realtime.setAuth(team.viewerToken);
  const topic = realtimeViewer
    .channel(`team:${team.teamId}`, { config: { private: true } })
    .on('broadcast', { event: '*' }, (m) => heard.push(JSON.stringify(m)))
    .on('postgres_changes', { event: '*', schema: 'public' }, (m) => heard.push(JSON.stringify(m)));
  await new Promise<void>((resolve, reject) => {
    topic.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT')
        reject(new Error(`Viewer could not join its team topic: ${status} ${err?.message ?? ''}`));
    });
  });
});
afterAll(async () => {
  await realtimeViewer?.removeAllChannels();
  realtimeViewer?.realtime.disconnect();
  await db.end();
});

describe('channel secrets', () => {
  it('are written by an admin and read back by the admin only', { timeout: 120_000 }, async () => {
    // A closed local port: delivery fails, so the outbox records an error text for the viewer to read.
    const url = `http://127.0.0.1:${await freePort()}/hooks/${marker}`;
    const made = await admin
      .from('channels')
      .insert({ team_id: team.teamId, name: `ops-${marker.slice(-6)}`, kind: 'webhook' })
      .select('id')
      .single();
    expect(made.error).toBeNull();
    channelId = (made.data as { id: string }).id;
    const secret = await admin.from('channel_secrets').insert({
      channel_id: channelId,
      team_id: team.teamId,
      config: { url, secret: `${marker}-hmac`, headers: { 'X-Api-Token': `${marker}-header` } },
    });
    expect(secret.error).toBeNull();
    const stored = await db.query('select config from channel_secrets where channel_id = $1', [channelId]);
    expect(JSON.stringify(stored.rows)).toContain(marker);
    // Not even the admin reads a secret back through the API: only which ones are set.
    const back = await admin.from('channel_secrets').select('config').eq('channel_id', channelId);
    expect(back.error?.code).toBe('42501');
    const settings = await admin.rpc('channel_settings', { p_team_id: team.teamId });
    expect(settings.error).toBeNull();
    expect(JSON.stringify(settings.data)).not.toContain(marker);
    expect(settings.data).toContainEqual({
      channel_id: channelId,
      settings: {},
      secrets_set: ['headers', 'secret', 'url'],
    });

    // config is readable by no API role; the other columns only for the team's admins (RLS).
    expect((await viewer.from('channel_secrets').select('*').eq('channel_id', channelId)).error?.code).toBe('42501');
    const seen = await viewer.from('channel_secrets').select('channel_id, team_id').eq('channel_id', channelId);
    expect(seen.error).toBeNull();
    expect(seen.data).toEqual([]);
    expect((await viewer.rpc('channel_settings', { p_team_id: team.teamId })).data).toEqual([]);
    const listed = await viewer.from('channels').select('*').eq('id', channelId);
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed.data)).not.toContain(marker);
    const changed = await viewer
      .from('channel_secrets')
      .update({ config: { url: 'https://attacker.example/x' } })
      .eq('channel_id', channelId)
      .select();
    expect(changed.data ?? []).toEqual([]);
    const still = await db.query<{ config: { url: string } }>(
      'select config from channel_secrets where channel_id = $1',
      [channelId],
    );
    expect(still.rows[0]!.config.url).toBe(url);
  });

  it('do not leak through a failed delivery, any served table or view, or the team topic', {
    timeout: 120_000,
  }, async () => {
    expect(channelId, 'the first test creates the channel').not.toBe('');
    await db.query(
      `insert into alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
       values ($1, 'CPU high', 'cpu_total', '>', 90, 'critical', 'host', $2, $3)`,
      [team.teamId, team.hostId, [channelId]],
    );
    await db.query('insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 99)', [team.hostId]);
    // Wait for the dispatcher to try and fail (connection refused), so last_error holds its message.
    const rows = await waitFor(
      async () => {
        const r: { attempts: number; last_error: string | null }[] = (
          await db.query('select attempts, last_error from notifications where channel_id = $1', [channelId])
        ).rows;
        return r[0]?.last_error ? r : undefined;
      },
      { message: 'the delivery to fail (else the outbox was not exercised)', timeoutMs: 60_000 },
    );
    expect(rows[0]?.last_error, 'the delivery never failed, so the outbox was not exercised').toBeTruthy();

    const { rows: relations } = await db.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition
          and has_table_privilege('authenticated', c.oid, 'select') order by 1`,
    );
    expect(relations.map((r) => r.name)).toContain('notifications');
    const leaks: string[] = [];
    for (const { name } of relations) {
      const res = await viewer.from(name).select('*').limit(1000);
      if (JSON.stringify(res.data ?? []).includes(marker)) leaks.push(name);
    }
    expect(
      heard.length,
      'the viewer heard nothing on its team topic; the alert should have been broadcast',
    ).toBeGreaterThan(0);
    if (heard.some((m) => m.includes(marker))) leaks.push('realtime team topic');
    expect(leaks, 'channel secrets reached a viewer through these').toEqual([]);
  });
});

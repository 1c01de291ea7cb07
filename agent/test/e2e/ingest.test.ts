import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startAgent } from '../../src/agent.ts';
import type { AgentSettings } from '../../src/config/settings.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { createAgentClient, ensureSession, renewSession } from '../../src/send/client.ts';
import { DiskQueue } from '../../src/send/queue.ts';
import { hostSampleRow, type QueuedRow } from '../../src/send/rows.ts';
import { Sender } from '../../src/send/sender.ts';
import { fixture } from '../fixture-source.ts';
import { provisionHost, sql } from '../../../testkit/src/provision.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';
import { scratch } from '../scratch.ts';

const env = inject('stack');
const { tmp } = scratch('vibe-agent-e2e');

function settingsFor(
  host: { hostId: string; email: string; password: string },
  dataDir: string,
  over: Partial<AgentSettings> = {},
): AgentSettings {
  return {
    configFile: path.join(dataDir, 'config.json'),
    url: env.SUPABASE_URL,
    key: env.SUPABASE_PUBLISHABLE_KEY,
    hostId: host.hostId,
    teamId: null,
    hostName: null,
    email: host.email,
    password: host.password,
    dataDir,
    sampleIntervalS: 1,
    sendIntervalS: 1,
    dbIntervalS: 1,
    retryMaxS: 2,
    queueMaxBytes: 1 << 20,
    procRoot: '/proc',
    sysRoot: '/sys',
    rootfs: '/',
    databases: [],
    httpChecks: [],
    logLevel: 'info',
    containers: true,
    containerSocket: null,
    processesTop: 10,
    ...over,
  };
}

describe('agent against the stack', () => {
  it('lands host samples with the values read from /proc, plus database and HTTP check rows', async () => {
    const host = await provisionHost(env, 'ingest');
    const dir = await tmp();
    const server = (await import('node:http')).createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const settings = settingsFor(host, dir, {
      procRoot: path.join(fixture('server/t0'), 'proc'),
      sysRoot: path.join(fixture('server/t0'), 'sys'),
      databases: [{ name: 'stack', url: env.SUPABASE_DB_URL }],
      httpChecks: [
        {
          name: 'local',
          url: `http://127.0.0.1:${port}/`,
          method: 'GET',
          expectedStatus: [],
          timeoutMs: 2000,
          intervalS: 1,
          insecureTls: false,
        },
      ],
    });
    const agent = await startAgent(settings, silentLogger);
    try {
      await waitFor(
        async () => {
          const [r] = await sql<{ h: number; a: number; d: number }>(
            env,
            `select (select count(*)::int from host_samples where host_id = $1) h, (select count(*)::int from app_samples where host_id = $1) a,
                  (select count(*)::int from db_samples where host_id = $1) d`,
            [host.hostId],
          );
          return r!.h >= 2 && r!.a >= 1 && r!.d >= 1;
        },
        { message: 'two host samples, an app sample and a db sample' },
      );
    } finally {
      await agent.stop();
      server.close();
    }
    const [row] = await sql<Record<string, any>>(
      env,
      'select * from host_samples where host_id = $1 order by ts desc limit 1',
      [host.hostId],
    );
    expect(row).toMatchObject({
      cpu_count: 4,
      load_1: 0.52,
      load_5: 0.58,
      load_15: 0.61,
      mem_total: String(16318412 * 1024),
      mem_available: String(9786540 * 1024),
      swap_total: String(2097148 * 1024),
      swap_used: String((2097148 - 1572860) * 1024),
      net_connections: 9,
      process_count: 5,
      uptime_s: '1234567',
      temp_c: 52,
      net_rx_bps: 0, // a static fixture: counters never move
      cpu_total: 0,
    });
    expect(row!.detail.tcp).toEqual({ listen: 3, established: 4, time_wait: 1, close_wait: 1 });
    expect(row!.detail.sensors).toMatchObject({ 'coretemp Core 0': 49 });
    expect(row!.mem_percent).toBeCloseTo(40.03, 1);
    const [app] = await sql<Record<string, any>>(env, 'select * from app_samples where host_id = $1 limit 1', [
      host.hostId,
    ]);
    expect(app).toMatchObject({ check_name: 'local', kind: 'http', status: 'up', status_code: 200, error: null });
    expect(app!.latency_ms).toBeGreaterThan(0);
    const [db] = await sql<Record<string, any>>(env, 'select * from db_samples where host_id = $1 limit 1', [
      host.hostId,
    ]);
    expect(db).toMatchObject({ db_name: 'stack', engine: 'postgres', max_connections: 200 });
    expect(db!.connections_total).toBeGreaterThan(0);
    expect(db!.cache_hit_ratio).toBeGreaterThan(0);
    expect(Array.isArray(db!.top_statements)).toBe(true);
    // The host row shows the agent was seen (maintained by the ingest trigger).
    const [h] = await sql<{ last_seen_at: Date | null }>(env, 'select last_seen_at from hosts where id = $1', [
      host.hostId,
    ]);
    expect(h!.last_seen_at).not.toBeNull();
  });

  it("refuses rows forged for another host, logs the server's message, drops them and inserts nothing", async () => {
    const victim = await provisionHost(env, 'victim');
    const forger = await provisionHost(env, 'forger', victim.teamId);
    const dir = await tmp();
    const settings = settingsFor(forger, dir);
    const client = createAgentClient(settings);
    await ensureSession(client, settings);
    const queue = await DiskQueue.open<QueuedRow>(path.join(dir, 'queue'));
    const ts = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    await queue.append([
      hostSampleRow(victim.hostId, { ts: ts(3), errors: {}, load: { load1: 99, load5: 99, load15: 99 } }),
      hostSampleRow(victim.hostId, { ts: ts(2), errors: {}, load: { load1: 99, load5: 99, load15: 99 } }),
      hostSampleRow(forger.hostId, { ts: ts(1), errors: {}, load: { load1: 1, load5: 1, load15: 1 } }),
    ]);
    const lines: string[] = [];
    const sender = new Sender(queue, client, { log: createLogger('info', (l) => lines.push(l)) });
    const result = await sender.flush();
    expect(result).toEqual({ sent: 1, rejected: 2, error: null });
    expect(queue.depth).toBe(0); // not retried forever
    expect(lines.filter((l) => l.includes('ERROR'))).toHaveLength(2);
    expect(lines[0]).toMatch(
      /refused a host_samples row .* HTTP 403 42501: new row violates row-level security policy/,
    );
    expect(await sql(env, 'select 1 from host_samples where host_id = $1', [victim.hostId])).toHaveLength(0);
    expect(await sql(env, 'select 1 from host_samples where host_id = $1', [forger.hostId])).toHaveLength(1);
    await queue.close();
  });

  it('replays without duplicating: rows already present are ignored', async () => {
    const host = await provisionHost(env, 'replay');
    const dir = await tmp();
    const settings = settingsFor(host, dir);
    const client = createAgentClient(settings);
    await ensureSession(client, settings);
    const queue = await DiskQueue.open<QueuedRow>(path.join(dir, 'queue'));
    const rows = [1, 2, 3].map((s) =>
      hostSampleRow(host.hostId, { ts: new Date(Date.now() - s * 1000).toISOString(), errors: {}, uptimeSeconds: s }),
    );
    await queue.append(rows);
    const sender = new Sender(queue, client, { log: silentLogger });
    expect(await sender.flush()).toEqual({ sent: 3, rejected: 0, error: null });
    await queue.append(rows); // as after a crash between sending and saving the cursor
    expect(await sender.flush()).toEqual({ sent: 3, rejected: 0, error: null });
    const [c] = await sql<{ n: number }>(env, 'select count(*)::int n from host_samples where host_id = $1', [
      host.hostId,
    ]);
    expect(c!.n).toBe(3);
    await queue.close();
  });

  it('refreshes an expired session on its own and keeps the rotated refresh token on disk', async () => {
    const host = await provisionHost(env, 'refresh');
    const dir = await tmp();
    const settings = settingsFor(host, dir);
    const first = createAgentClient(settings);
    await ensureSession(first, settings);
    const file = path.join(dir, 'session.json');
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    const session = JSON.parse(stored['vibe-agent-auth']!);
    // As after a week switched off: the access token has expired.
    session.expires_at = Math.floor(Date.now() / 1000) - 60;
    await fs.writeFile(file, JSON.stringify({ 'vibe-agent-auth': JSON.stringify(session) }));

    const client = createAgentClient(settings);
    const queue = await DiskQueue.open<QueuedRow>(path.join(dir, 'queue'));
    await queue.append([hostSampleRow(host.hostId, { ts: new Date().toISOString(), errors: {}, uptimeSeconds: 1 })]);
    expect(await new Sender(queue, client, { log: silentLogger }).flush()).toEqual({
      sent: 1,
      rejected: 0,
      error: null,
    });
    const after = JSON.parse(JSON.parse(await fs.readFile(file, 'utf8'))['vibe-agent-auth']);
    expect(after.refresh_token).not.toBe(session.refresh_token);
    expect(after.expires_at).toBeGreaterThan(Date.now() / 1000);
    await queue.close();
  });
  it('signs in again with its password when its session was ended on the server, and sends', async () => {
    const host = await provisionHost(env, 'revoked');
    const dir = await tmp();
    const settings = settingsFor(host, dir);
    await ensureSession(createAgentClient(settings), settings);
    const file = path.join(dir, 'session.json');
    const before = JSON.parse(JSON.parse(await fs.readFile(file, 'utf8'))['vibe-agent-auth']);
    // An admin ended every session of the agent user, and the access token has expired since.
    await sql(env, 'delete from auth.sessions where user_id = $1', [host.userId]);
    await fs.writeFile(
      file,
      JSON.stringify({
        'vibe-agent-auth': JSON.stringify({ ...before, expires_at: Math.floor(Date.now() / 1000) - 60 }),
      }),
    );

    const client = createAgentClient(settings);
    const queue = await DiskQueue.open<QueuedRow>(path.join(dir, 'queue'));
    await queue.append([hostSampleRow(host.hostId, { ts: new Date().toISOString(), errors: {}, uptimeSeconds: 1 })]);
    const sender = new Sender(queue, client, { log: silentLogger, reauth: () => renewSession(client, settings) });
    expect(await sender.flush()).toEqual({ sent: 1, rejected: 0, error: null });
    const after = JSON.parse(JSON.parse(await fs.readFile(file, 'utf8'))['vibe-agent-auth']);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    const sessions = await sql(env, 'select 1 from auth.sessions where user_id = $1', [host.userId]);
    expect(sessions).toHaveLength(1);
    expect(await sql(env, 'select 1 from host_samples where host_id = $1', [host.hostId])).toHaveLength(1);
    await queue.close();
  });
});

/**
 * The agent's queue disk fills up while the gateway is unreachable (a 192 KiB tmpfs mounted on the queue
 * folder): the agent reports it, keeps sampling by dropping its oldest queued data instead of the newest, and
 * once the gateway is back the newest samples arrive. Needs root for the tmpfs mount (the suite runs as root).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnAgent, type AgentProcess } from '../../../testkit/src/agent-process.ts';
import { startTcpProxy, type TcpProxy } from '../../../agent/test/tcp-proxy.ts';
import { readStatus } from '../../../agent/src/status-file.ts';
import { createTeamRow, provisionAgents } from '../../../testkit/src/provision.ts';
import { agentEnv } from '../../../testkit/src/agent-env.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';

// The shared stack is enough: only the agent's own link (a TCP proxy) and its queue disk are broken here.
const stack = { env: inject('stack') };
let db: pg.Pool;
let dataDir = '';
let queueDir = '';
let proxy: TcpProxy;
let agent: AgentProcess | null = null;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 2 });
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-disk-full-'));
  queueDir = path.join(dataDir, 'queue');
  await fs.mkdir(queueDir, { mode: 0o700 });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=192k,mode=0700', 'tmpfs', queueDir]);
  } catch (err) {
    throw new Error(
      `Cannot mount a small tmpfs for the disk-full test (run the suite as root): ${(err as Error).message}`,
    );
  }
  proxy = await startTcpProxy(Number(new URL(stack.env.SUPABASE_URL).port));
}, 180_000);
afterAll(async () => {
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGKILL');
    await agent.exited;
  }
  await proxy?.stop().catch(() => {});
  try {
    execFileSync('umount', [queueDir]);
  } catch {
    /* not mounted */
  }
  await fs.rm(dataDir, { recursive: true, force: true });
  await db?.end();
});

describe('agent queue disk full', () => {
  it('reports it, keeps the newest samples, and delivers them when the gateway returns', {
    timeout: 240_000,
  }, async () => {
    const teamId = await createTeamRow(db, 'fault-disk');
    const [cred] = await provisionAgents(stack.env, db, teamId, 1, 'diskfull');
    await proxy.stop(); // offline from the start: everything waits in the queue
    agent = spawnAgent(
      ['run'],
      agentEnv(stack.env, cred!, {
        url: `http://127.0.0.1:${proxy.port}`,
        dataDir,
        extra: {
          VIBE_AGENT_SAMPLE_INTERVAL: '0.1',
          VIBE_AGENT_SEND_INTERVAL: '1',
          VIBE_AGENT_RETRY_MAX: '1',
          // 64 KiB segments: several fit on the 192 KiB disk, so the oldest can make room for the newest.
          VIBE_AGENT_QUEUE_MAX_BYTES: String(1024 * 1024),
          VIBE_AGENT_LOG_LEVEL: 'debug',
        },
      }),
    );
    await waitFor(() => /disk is full|ENOSPC|no space/i.test(agent!.output()), {
      message: () => `the queue disk to fill:\n${agent?.output().slice(-2000)}`,
      timeoutMs: 120_000,
    });
    const atFull = agent.sampled.length;
    await new Promise((r) => setTimeout(r, 4000));
    const afterFull = agent.sampled.slice(atFull);
    expect(
      afterFull.length,
      'sampling into the queue stopped when the disk filled: the newest data is being dropped',
    ).toBeGreaterThan(15);
    const status = readStatus(dataDir);
    expect(status?.queueDiskFullAt, 'the status file reports the full disk').toBeTruthy();
    expect(agent.output()).toMatch(/The queue disk is full: \d+ oldest rows dropped to keep the newest/);
    expect(status!.droppedRows, 'old rows were dropped to make room').toBeGreaterThan(0);

    await proxy.start();
    const newest = agent.sampled.slice(-10);
    await waitFor(
      async () => {
        const { rows } = await db.query<{ ts: Date }>(
          'select ts from public.host_samples where host_id = $1 and ts = any($2::timestamptz[])',
          [cred!.hostId, newest],
        );
        return rows.length === newest.length;
      },
      { message: () => `the newest samples to arrive:\n${agent?.output().slice(-2000)}`, timeoutMs: 60_000 },
    );
    const { rows } = await db.query<{ n: number }>(
      'select count(*)::int as n from public.host_samples where host_id = $1',
      [cred!.hostId],
    );
    expect(rows[0]!.n).toBeLessThan(agent.sampled.length); // the oldest were dropped, not the newest
    agent.child.kill('SIGTERM');
    await agent.exited;
    process.stdout.write(
      `queue disk full: ${agent.sampled.length} sampled, ${status!.droppedRows} oldest dropped, ${rows[0]!.n} delivered including the newest\n`,
    );
  });
});

import fs from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { scratch } from '../scratch.ts';
import { provisionHost, sampleTimes, sql, type ProvisionedHost } from '../../../testkit/src/provision.ts';
import { agentEnv } from '../../../testkit/src/agent-env.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';
import { startTcpProxy } from '../tcp-proxy.ts';

const env = inject('stack');
// The shipped single executable (built once by the global setup), not node on the sources.
const executable = inject('agentExecutable');
const { tmp, spawn } = scratch('vibe-agent-resilience', { executable });

function runEnv(
  host: ProvisionedHost,
  url: string,
  dataDir: string,
  sendIntervalS: number,
  sampleIntervalS = 1,
): Record<string, string> {
  return agentEnv(env, host, {
    url,
    dataDir,
    extra: {
      VIBE_AGENT_SAMPLE_INTERVAL: String(sampleIntervalS),
      VIBE_AGENT_SEND_INTERVAL: String(sendIntervalS),
      VIBE_AGENT_RETRY_MAX: '2',
      VIBE_AGENT_LOG_LEVEL: 'debug',
    },
  });
}

async function expectExactlyOnce(hostId: string, sampled: string[]): Promise<void> {
  const stored = await sampleTimes(env, hostId);
  expect(new Set(stored).size).toBe(stored.length);
  expect(stored).toEqual([...sampled].sort());
}

describe('agent resilience', () => {
  it('keeps every sample, exactly once, through a 30 s gateway outage', async () => {
    const host = await provisionHost(env, 'outage');
    const dataDir = await tmp();
    const proxy = await startTcpProxy(Number(new URL(env.SUPABASE_URL).port));
    // Four samples a second: the outage spans several send intervals and a long queue in a few seconds.
    const agent = spawn(['run'], runEnv(host, `http://127.0.0.1:${proxy.port}`, dataDir, 1, 0.25));
    await waitFor(async () => (await sampleTimes(env, host.hostId)).length >= 3, {
      message: 'three samples stored before the outage',
      timeoutMs: 30_000,
    });

    await proxy.stop();
    const cutAt = agent.sampled.length;
    const cutTime = Date.now();
    // The outage lasts 30 s, past several backoff retries (VIBE_AGENT_RETRY_MAX 2 s), with at least 24 samples queued.
    await waitFor(
      () =>
        Date.now() - cutTime >= 30_000 &&
        agent.sampled.length - cutAt >= 24 &&
        /Sending failed \(attempt 1\)/.test(agent.output()),
      {
        message: () => `30 s of outage with samples queued:\n${agent.output().slice(-2000)}`,
        timeoutMs: 60_000,
      },
    );
    const duringOutage = agent.sampled.length - cutAt;
    const storedBeforeRestart = (await sampleTimes(env, host.hostId)).length;
    await proxy.start();

    await waitFor(async () => (await sampleTimes(env, host.hostId)).length >= agent.sampled.length, {
      message: 'the backlog to drain',
      timeoutMs: 30_000,
    });
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(duringOutage).toBeGreaterThanOrEqual(24); // sampling went on
    expect(storedBeforeRestart).toBeLessThan(agent.sampled.length - 20); // and those samples really waited in the queue
    expect(agent.output()).toMatch(/Sending failed \(attempt 1\)/);
    expect(agent.output()).toMatch(/Sending works again/);
    await expectExactlyOnce(host.hostId, agent.sampled);
    await proxy.stop();
  }, 120_000);

  it('loses no flushed sample when killed with SIGKILL and restarted', async () => {
    const host = await provisionHost(env, 'sigkill');
    const dataDir = await tmp();
    const vars = runEnv(host, env.SUPABASE_URL, dataDir, 3);
    const first = spawn(['run'], vars);
    await waitFor(() => first.sampled.length >= 7, {
      message: 'seven samples fsynced',
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    // What runs is the single executable itself, no node and no copy of the sources.
    expect(await fs.realpath(`/proc/${first.child.pid}/exe`)).toBe(await fs.realpath(executable));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const flushed = [...first.sampled];
    const storedAtKill = await sampleTimes(env, host.hostId);
    expect(storedAtKill.length).toBeLessThan(flushed.length); // some were only in the queue

    const second = spawn(['run'], vars);
    await waitFor(
      async () => {
        const stored = new Set(await sampleTimes(env, host.hostId));
        return flushed.every((t) => stored.has(t));
      },
      { message: 'every sample flushed before the kill to be stored', timeoutMs: 30_000 },
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/Replaying \d+ queued rows/);
    await expectExactlyOnce(host.hostId, [...flushed, ...second.sampled]);
    const status = spawn(['status', '--json'], vars);
    expect(await status.exited).toBe(0);
    expect(JSON.parse(status.output())).toMatchObject({
      running: false,
      queueDepth: 0,
      droppedRows: 0,
      lastError: null,
    });
    const rows = await sql<{ n: number }>(env, 'select count(*)::int n from host_samples where host_id = $1', [
      host.hostId,
    ]);
    expect(rows[0]!.n).toBe(flushed.length + second.sampled.length);
  }, 90_000);
});

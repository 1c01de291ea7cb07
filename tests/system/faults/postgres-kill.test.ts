/**
 * Postgres killed with SIGKILL in the middle of ingest: the stack restarts it by itself, the agents' retries
 * get through once it is back, and every sample the API acknowledged before, during or after is stored once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, createTeamRow, provisionAgents } from '../../../testkit/src/provision.ts';
import { freshStack } from '../../../testkit/src/fresh-stack.ts';
import type { RunningStack } from '../../../stack/src/stack.ts';
import { ingestLoop } from './ingest-loop.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';

let stack: RunningStack;
let db: pg.Pool;

beforeAll(async () => {
  stack = await freshStack();
  db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
  db.on('error', () => {});
}, 180_000);
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

describe('Postgres kill -9 mid-ingest', () => {
  it('restarts by itself and loses no acknowledged sample', { timeout: 240_000 }, async () => {
    const teamId = await createTeamRow(db, 'fault-postgres');
    const creds = await provisionAgents(stack.env, db, teamId, 4, 'pgkill');
    const clients = await Promise.all(creds.map((c) => agentClient(stack.env, c)));
    const start = Date.now() - 10 * 60_000;
    const loops = clients.map((c, i) => ingestLoop(c, creds[i]!.hostId, 20, start));
    await waitFor(() => loops.every((l) => l.record.acked.length >= 10), {
      message: 'ten acknowledged samples per agent before the kill',
      timeoutMs: 30_000,
    });
    const pid = stack.postgres!.pid!;
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // Wait until every loop has been acknowledged again several times after the kill.
    await waitFor(() => loops.every((l) => l.record.successAt.filter((t) => t > killedAt + 500).length >= 10), {
      message: 'every agent acknowledged again after the kill',
      timeoutMs: 120_000,
    });
    for (const l of loops) await l.stop();

    expect(stack.postgres!.restarts).toBeGreaterThanOrEqual(1);
    expect(stack.postgres!.pid).not.toBe(pid);
    const failures = loops.reduce((n, l) => n + l.record.failures, 0);
    expect(failures, 'no request failed: Postgres was not really down').toBeGreaterThan(0);
    const recoveredAfterMs = Math.max(...loops.map((l) => l.record.successAt.find((t) => t > killedAt)! - killedAt));
    expect(recoveredAfterMs).toBeLessThan(60_000);
    for (const l of loops) {
      const { rows } = await db.query<{ ts: Date }>(
        'select ts from public.host_samples where host_id = $1 order by ts',
        [l.record.hostId],
      );
      const stored = rows.map((r) => r.ts.toISOString());
      expect(stored.length, `host ${l.record.hostId}`).toBeGreaterThan(10);
      expect(new Set(stored).size).toBe(stored.length);
      const missing = l.record.acked.filter((ts) => !stored.includes(ts));
      expect(missing, `acknowledged samples lost for host ${l.record.hostId}`).toEqual([]);
    }
    process.stdout.write(
      `postgres kill -9: ${failures} failed requests retried, all agents acknowledged again within ${recoveredAfterMs} ms\n`,
    );
  });
});

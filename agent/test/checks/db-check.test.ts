import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DbChecker } from '../../src/checks/db-check.ts';
import { databaseName, redact } from '../../src/checks/db-url.ts';

const env = inject('stack');
const checkers: DbChecker[] = [];
afterAll(async () => {
  for (const c of checkers) await c.close();
});

describe('database check', () => {
  it("reads connections, cache hit ratio, rates, size and top statements from the stack's Postgres", async () => {
    const checker = new DbChecker({ name: 'stack', url: env.SUPABASE_DB_URL });
    checkers.push(checker);
    await checker.prime();
    // Some traffic between the two checks: commits, a rollback, a long query in flight.
    const client = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await client.connect();
    for (let i = 0; i < 20; i++) await client.query('select 1');
    await client.query('begin');
    await client.query('rollback');
    await client.end(); // a backend flushes its statistics when it exits
    const sleeper = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await sleeper.connect();
    const sleeping = sleeper.query('select pg_sleep(1.5)');
    await new Promise((r) => setTimeout(r, 700));
    const r = await checker.check();
    await sleeping;
    await sleeper.end();
    expect(r.error).toBeNull();
    expect(r.up).toBe(true);
    expect(r.maxConnections).toBe(200);
    expect(r.connectionsTotal).toBeGreaterThanOrEqual(2); // the checker and the sleeper
    expect(r.connectionsByState.active).toBeGreaterThanOrEqual(1);
    expect(r.cacheHitRatio).toBeGreaterThan(0);
    expect(r.cacheHitRatio).toBeLessThanOrEqual(1);
    expect(r.commitsPerSec).toBeGreaterThan(0);
    expect(r.rollbacksPerSec).toBeGreaterThan(0);
    expect(r.deadlocks).toBeGreaterThanOrEqual(0); // the shared stack's other tests may deadlock; counted exactly below
    expect(r.sizeBytes).toBeGreaterThan(1_000_000);
    expect(r.longestQuerySeconds).toBeGreaterThanOrEqual(0.5);
    expect(r.replicationLagSeconds).toBeNull();
    expect(r.topStatements?.length).toBeGreaterThan(0);
    const top = r.topStatements![0]!;
    expect(top.calls).toBeGreaterThan(0);
    expect(top.totalMs).toBeGreaterThanOrEqual(top.meanMs);
    expect(top.queryid).toMatch(/^-?\d+$/);
  });

  it('reports an unreachable database as down, without the password', async () => {
    const url = 'postgresql://watcher:s3cret-pw@127.0.0.1:1/app';
    const checker = new DbChecker({ name: databaseName(url), url });
    checkers.push(checker);
    const r = await checker.check();
    expect(r).toMatchObject({ name: 'app', up: false, connectionsTotal: null, topStatements: null });
    expect(r.error).toMatch(/ECONNREFUSED/);
    expect(r.error).not.toContain('s3cret');
    expect(redact('auth failed for postgresql://watcher:s3cret-pw@h/app', url)).toBe(
      'auth failed for postgresql://watcher:***@h/app',
    );
  });

  it('counts a deadlock, and reports no top statements where pg_stat_statements is absent (a database of its own)', async () => {
    const admin = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await admin.connect();
    const db = `agent_dbcheck_${process.pid}`;
    await admin.query(`create database ${db}`);
    try {
      const url = env.SUPABASE_DB_URL.replace(/\/[^/?]+(\?|$)/, `/${db}$1`);
      const checker = new DbChecker({ name: db, url });
      checkers.push(checker);
      const first = await checker.check();
      expect(first.up).toBe(true);
      expect(first.topStatements).toBeNull();
      expect(first.commitsPerSec).toBeNull(); // first check: nothing to compare with yet
      expect(first.deadlocks).toBeNull();
      // Two sessions lock two rows in opposite order: Postgres aborts one of them with 40P01.
      const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
      await a.connect();
      await b.connect();
      await a.query('create table t (id int primary key); insert into t values (1), (2)');
      await a.query('begin');
      await b.query('begin');
      await a.query('update t set id = id where id = 1');
      await b.query('update t set id = id where id = 2');
      const results = await Promise.allSettled([
        a.query('update t set id = id where id = 2'),
        b.query('update t set id = id where id = 1'),
      ]);
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code),
      ).toEqual(['40P01']);
      await a.query('rollback');
      await b.query('rollback');
      await a.end();
      await b.end(); // statistics are flushed when a backend exits
      const second = await checker.check();
      expect(second.deadlocks).toBe(1);
      expect(second.rollbacksPerSec).toBeGreaterThan(0);
      await checker.close();
    } finally {
      await admin.query(`drop database ${db} with (force)`);
      await admin.end();
    }
  });
});

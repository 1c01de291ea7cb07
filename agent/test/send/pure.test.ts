import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/send/backoff.ts';
import { classifyError } from '../../src/send/classify.ts';
import { dbCheckRow, hostSampleRow, httpCheckRow } from '../../src/send/rows.ts';

describe('backoffDelay', () => {
  it('doubles up to the cap and jitters within the upper half', () => {
    const o = { baseMs: 1000, maxMs: 30_000 };
    expect(backoffDelay(1, o, () => 0)).toBe(500);
    expect(backoffDelay(1, o, () => 1)).toBe(1000);
    expect(backoffDelay(4, o, () => 1)).toBe(8000);
    expect(backoffDelay(20, o, () => 0)).toBe(15_000);
    expect(backoffDelay(20, o, () => 1)).toBe(30_000);
  });
});

describe('classifyError', () => {
  it('retries the network and the server, re-authenticates on 401, gives up on refusals', () => {
    expect(classifyError({ status: 0, code: null, message: 'fetch failed' })).toBe('retry');
    expect(classifyError({ status: 503, code: null, message: '' })).toBe('retry');
    expect(classifyError({ status: 429, code: null, message: '' })).toBe('retry');
    expect(classifyError({ status: 401, code: '42501', message: '' })).toBe('reauth');
    expect(classifyError({ status: 403, code: '42501', message: 'new row violates row-level security policy' })).toBe(
      'reject',
    );
    expect(classifyError({ status: 400, code: '23514', message: 'check constraint' })).toBe('reject');
  });
});

describe('row mapping', () => {
  it("leaves a failed collector's columns null and records the error in detail", () => {
    const { table, row } = hostSampleRow('h', {
      ts: '2025-01-01T00:00:00.000Z',
      errors: { cpu: 'boom' },
      uptimeSeconds: 5,
    });
    expect(table).toBe('host_samples');
    expect(row).toMatchObject({
      host_id: 'h',
      cpu_total: null,
      cpu_cores: null,
      uptime_s: 5,
      detail: { errors: { cpu: 'boom' } },
    });
  });

  it('maps an HTTP check to app_samples', () => {
    const r = httpCheckRow('h', {
      ts: 't',
      name: 'api',
      url: 'https://x/',
      method: 'GET',
      up: false,
      status: 503,
      latencyMs: 12,
      tlsDaysLeft: 40,
      error: 'Unexpected status 503',
    });
    expect(r.row).toMatchObject({
      check_name: 'api',
      kind: 'http',
      status: 'down',
      status_code: 503,
      latency_ms: 12,
      detail: { tls_days_left: 40 },
    });
  });

  it('maps a database check to db_samples, ratios as percentages', () => {
    const r = dbCheckRow('h', {
      ts: 't',
      name: 'app',
      up: true,
      error: null,
      connectionsByState: { active: 2, idle: 5, 'idle in transaction': 1, waiting: 1 },
      connectionsTotal: 8,
      maxConnections: 100,
      cacheHitRatio: 0.987,
      commitsPerSec: 3,
      rollbacksPerSec: 0,
      deadlocks: 0,
      tempBytes: 0,
      sizeBytes: 1000,
      longestQuerySeconds: 1,
      replicationLagSeconds: null,
      topStatements: [{ queryid: '1', query: 'select 1', calls: 3, meanMs: 1, totalMs: 3, rows: 3 }],
    });
    expect(r.row).toMatchObject({
      db_name: 'app',
      connections_active: 2,
      connections_idle: 5,
      connections_idle_in_tx: 1,
      connections_waiting: 1,
      connections_total: 8,
      max_connections: 100,
      cache_hit_ratio: 98.7,
      top_statements: [{ queryid: '1', total_ms: 3, mean_ms: 1 }],
    });
  });
});

describe('parseEnrollment', () => {
  it('reads the enroll-agent answer and names what is missing', async () => {
    const { parseEnrollment } = await import('../../src/commands/enroll.ts');
    expect(
      parseEnrollment({ host_id: 'h', team_id: 't', email: 'a@b', password: 'pw', supabase_url: 'http://x' }),
    ).toEqual({
      hostId: 'h',
      teamId: 't',
      hostName: null,
      email: 'a@b',
      password: 'pw',
    });
    expect(() => parseEnrollment({ host_id: 'h' })).toThrow(/^Enrollment answer is missing email, password:/);
  });
});

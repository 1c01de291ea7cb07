/** Nonsense samples are rejected with an error naming the broken rule, and nothing is stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, superuser, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
beforeAll(async () => {
  team = await createTeam(db);
});

const now = () => new Date().toISOString();
const cases: [string, Record<string, unknown>, RegExp][] = [
  ['cpu above 100 %', { cpu_total: 101 }, /cpu_percentages_between_0_and_100/],
  ['negative per-core usage', { cpu_cores: [10, -1] }, /cpu_cores_between_0_and_100/],
  ['negative counter', { net_rx_bps: -5 }, /counters_non_negative/],
  ['memory used above total', { mem_total: 100, mem_used: 200 }, /used_not_above_total/],
  ['disk used above total', { disk_total: 100, disk_used: 101 }, /used_not_above_total/],
  ['timestamp an hour ahead', { ts: new Date(Date.now() + 3_600_000).toISOString() }, /ts_at_most_5_minutes_ahead/],
  ['detail that is not an object', { detail: [1, 2] }, /detail_at_most_64kb/],
];

describe('sample constraints', () => {
  for (const [name, fields, rule] of cases) {
    it(`rejects ${name} and stores nothing of the batch`, async () => {
      const agent = clientWith(team.agentToken);
      const good = {
        host_id: team.hostId,
        ts: new Date(Date.now() - 5000 - Math.random() * 50_000).toISOString(),
        cpu_total: 10,
      };
      const bad = { host_id: team.hostId, ts: now(), ...fields };
      const { error } = await agent.from('host_samples').insert([good, bad]);
      expect(error?.code).toBe('23514');
      expect(error?.message).toMatch(rule);
      const stored = await db.query(`select 1 from host_samples where host_id = $1 and ts = $2`, [
        team.hostId,
        good.ts,
      ]);
      expect(stored.rows).toHaveLength(0);
    });
  }

  it('bounds text lengths and checks app/db samples too', async () => {
    const agent = clientWith(team.agentToken);
    const longName = await agent
      .from('app_samples')
      .insert({ host_id: team.hostId, ts: now(), check_name: 'x'.repeat(101), status: 'up' });
    expect(longName.error?.message).toMatch(/check_name_length/);
    const errRate = await agent
      .from('app_samples')
      .insert({ host_id: team.hostId, ts: now(), check_name: 'api', status: 'up', error_rate: 150 });
    expect(errRate.error?.message).toMatch(/error_rate_between_0_and_100/);
    const hit = await agent
      .from('db_samples')
      .insert({ host_id: team.hostId, ts: now(), db_name: 'app', cache_hit_ratio: -1 });
    expect(hit.error?.message).toMatch(/cache_hit_ratio_between_0_and_100/);
    const hostName = await clientWith(team.adminToken)
      .from('hosts')
      .insert({ team_id: team.teamId, name: 'y'.repeat(101) });
    expect(hostName.error?.message).toMatch(/hosts_name_length/);
    const rule = await clientWith(team.adminToken).from('alert_rules').insert({
      team_id: team.teamId,
      name: 'r',
      metric: 'cpu_total',
      operator: '>',
      threshold: 80,
      recovery_threshold: 90,
    });
    expect(rule.error?.message).toMatch(/recovery_on_safe_side/);
    const counts = await db.query(
      `select (select count(*) from app_samples where host_id = $1)::int as a, (select count(*) from db_samples where host_id = $1)::int as d`,
      [team.hostId],
    );
    expect(counts.rows[0]).toEqual({ a: 0, d: 0 });
  });
});

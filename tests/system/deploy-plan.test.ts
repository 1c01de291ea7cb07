/** The pure parts of `npm run deploy`: the secrets file check, the declared cron jobs and the masking of URLs. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredCronJobs, functionNames, maskUrl } from '../../scripts/deploy/plan.ts';
import { missingJobs } from '../../scripts/deploy/schedules.ts';
import { secretProblems } from '../../scripts/deploy/secrets-file.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('deploy plan', () => {
  it('refuses reserved, missing and non-https secrets, one message each', () => {
    expect(
      secretProblems({
        UPSTASH_REDIS_REST_URL: 'https://x.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 't',
        VIBE_DASHBOARD_URL: 'https://vibe.example.com',
      }),
    ).toEqual([]);
    const problems = secretProblems({
      SUPABASE_URL: 'https://x',
      UPSTASH_REDIS_REST_URL: 'http://plain',
      VIBE_DASHBOARD_URL: '',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SUPABASE_URL: names starting with SUPABASE_ are reserved/),
      'UPSTASH_REDIS_REST_TOKEN is missing or empty',
      'VIBE_DASHBOARD_URL is missing or empty',
      'UPSTASH_REDIS_REST_URL must be an https:// URL, got "http://plain"',
    ]);
  });

  it('finds the functions to deploy and the cron jobs the migrations schedule', () => {
    expect(functionNames(root)).toEqual(expect.arrayContaining(['dispatch-notifications', 'enroll-agent']));
    expect(functionNames(root).some((f) => f.startsWith('_'))).toBe(false);
    const jobs = declaredCronJobs(root);
    expect(jobs).toEqual(expect.arrayContaining(['vibe-rollup-minute', 'vibe-dispatch-notifications']));
    expect(new Set(jobs).size).toBe(jobs.length);
    expect(missingJobs(['a', 'b', 'c'], ['b'])).toEqual(['a', 'c']);
  });

  it('masks database passwords in printed commands', () => {
    expect(
      maskUrl('supabase db push --db-url postgresql://postgres:s3cr%40t@127.0.0.1:5432/postgres?sslmode=disable'),
    ).toBe('supabase db push --db-url postgresql://postgres:***@127.0.0.1:5432/postgres?sslmode=disable');
  });
});

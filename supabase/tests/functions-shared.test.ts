/**
 * The shared modules the web app imports too: TTL tiers, hybrid storage getData against the real
 * Upstash-compatible endpoint and the metrics table, and the destination URL guard.
 */
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, checkDestination, parseAllowedHosts } from '../functions/_shared/destination-url.ts';
import { createHybridStorage, metricsTable, type CacheClient } from '../functions/_shared/hybrid-storage.ts';
import { TTL_TIERS, ttlSeconds } from '../functions/_shared/ttl-tiers.ts';
import { createTeam, env, serviceClient, superuser, uniq } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
const redis = new Redis({
  url: env.UPSTASH_REDIS_REST_URL,
  token: env.UPSTASH_REDIS_REST_TOKEN,
  enableTelemetry: false,
});

describe('TTL tiers', () => {
  it('keeps high-frequency data 15–60 s and low-frequency data 5–15 min', () => {
    expect(TTL_TIERS).toEqual({ high: { min: 15, max: 60, default: 30 }, low: { min: 300, max: 900, default: 300 } });
    expect(ttlSeconds('high')).toBe(30);
    expect(ttlSeconds('high', { sampleIntervalS: 1 })).toBe(15);
    expect(ttlSeconds('high', { sampleIntervalS: 10 })).toBe(30);
    expect(ttlSeconds('high', { sampleIntervalS: 3600 })).toBe(60);
    expect(ttlSeconds('low')).toBe(300);
    expect(ttlSeconds('low', { sampleIntervalS: 240 })).toBe(720);
    expect(() => ttlSeconds('medium' as 'low')).toThrow(/Unknown TTL tier: medium/);
  });
});

describe('hybrid storage getData', () => {
  it('reads Upstash first, fetches on a miss, caches with the TTL and persists a snapshot when asked', async () => {
    const { teamId } = await createTeam(db);
    const errors: string[] = [];
    const storage = createHybridStorage({
      cache: redis,
      snapshots: metricsTable(serviceClient()),
      onError: (e, stage) => errors.push(`${stage}: ${String(e)}`),
    });
    const key = `test:servers:${uniq()}`;
    let calls = 0;
    const fetchFn = async () => ({ servers: [{ id: 'web-1', cpu: { usage: 35.2 } }], n: ++calls });

    expect(await storage.getData(key, fetchFn, { tier: 'high', persistToDatabase: true, teamId })).toEqual({
      servers: [{ id: 'web-1', cpu: { usage: 35.2 } }],
      n: 1,
    });
    expect(await storage.getData(key, fetchFn, { tier: 'high' })).toMatchObject({ n: 1 });
    expect(calls).toBe(1);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
    const peeked = await storage.peek<{ n: number }>(key);
    expect(peeked?.data.n).toBe(1);
    expect(Date.parse(peeked!.cachedAt)).toBeGreaterThan(Date.now() - 60_000);

    expect(await storage.getData(key, fetchFn, { skipCache: true, ttl: 120 })).toMatchObject({ n: 2 });
    expect(await redis.ttl(key)).toBeGreaterThan(100);
    expect(await storage.getData(key, fetchFn)).toMatchObject({ n: 2 });

    const rows = await db.query(`select key, data, timestamp from metrics where team_id = $1`, [teamId]);
    expect(rows.rows).toEqual([
      { key, data: { servers: [{ id: 'web-1', cpu: { usage: 35.2 } }], n: 1 }, timestamp: expect.any(Date) },
    ]);
    expect(errors).toEqual([]);
  });

  it("uses the seed's 300 s default and tolerates a cache that is down", async () => {
    const key = `test:default:${uniq()}`;
    await createHybridStorage({ cache: redis }).getData(key, async () => 'plain string value');
    expect(await redis.ttl(key)).toBeGreaterThan(290);
    expect(await createHybridStorage({ cache: redis }).getData(key, async () => 'other')).toBe('plain string value');

    const broken: CacheClient = {
      get: async () => {
        throw new Error('connection refused');
      },
      set: async () => {
        throw new Error('connection refused');
      },
    };
    const stages: string[] = [];
    const storage = createHybridStorage({ cache: broken, onError: (_e, stage) => stages.push(stage) });
    expect(await storage.getData('k', async () => 42, { ttl: 15 })).toBe(42);
    expect(stages).toEqual(['cache-read', 'cache-write']);
    await expect(storage.getData('k', async () => 1, { persistToDatabase: true })).rejects.toThrow(
      /persistToDatabase needs options.teamId/,
    );
    await expect(storage.getData('k', async () => 1, { ttl: 0 })).rejects.toThrow(/Invalid ttl 0/);
  });

  it('reads values a raw client stored as JSON text', async () => {
    const raw: CacheClient & { store: Map<string, string> } = {
      store: new Map(),
      get: async (k) => raw.store.get(k) ?? null,
      set: async (k, v) => void raw.store.set(k, v),
    };
    const storage = createHybridStorage({ cache: raw, now: () => new Date('2026-01-01T00:00:00Z') });
    await storage.getData('a', async () => ['x'], { ttl: 60 });
    expect(raw.store.get('a')).toBe('{"v":["x"],"at":"2026-01-01T00:00:00.000Z"}');
    expect(await storage.getData('a', async () => ['y'])).toEqual(['x']);
  });
});

describe('destination URL guard', () => {
  const resolve = async (host: string) =>
    ({ 'hooks.slack.com': ['52.1.2.3'], 'rebind.example': ['8.8.8.8', '10.0.0.7'], 'v6.example': ['fd12::1'] })[host] ??
    [];
  const check = (url: string, allowed = '') =>
    checkDestination(url, { resolve, allowedDevHosts: parseAllowedHosts(allowed), what: 'Slack webhook URL' });

  it('classifies non-public addresses', () => {
    const blocked = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      'ff02::1',
    ];
    for (const a of blocked) expect(blockedAddressReason(a), a).not.toBeNull();
    for (const a of ['8.8.8.8', '172.32.0.1', '52.1.2.3', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(blockedAddressReason(a), a).toBeNull();
  });

  it('accepts https to public hosts and refuses everything else with a reason', async () => {
    expect((await check('https://hooks.slack.com/services/T/B/x')).ok).toBe(true);
    expect(await check('http://hooks.slack.com/services/x')).toEqual({
      ok: false,
      reason:
        'Slack webhook URL must use https, not http: http://hooks.slack.com (for a local test receiver list its host in VIBE_ALLOWED_DEV_HOSTS)',
    });
    expect(await check('https://rebind.example/x')).toEqual({
      ok: false,
      reason:
        'Slack webhook URL https://rebind.example is blocked: rebind.example resolves to 10.0.0.7, a private address; notifications only go to public addresses (list development hosts in VIBE_ALLOWED_DEV_HOSTS)',
    });
    expect((await check('https://v6.example/')).ok).toBe(false);
    expect((await check('https://[::ffff:169.254.169.254]/')).ok).toBe(false);
    expect((await check('https://2130706433/')).ok).toBe(false); // 127.0.0.1 written as a number
    expect(await check('https://nowhere.example/')).toEqual({
      ok: false,
      reason: 'Slack webhook URL host nowhere.example does not resolve to any address',
    });
    expect(await check('https://u:p@hooks.slack.com/')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must not carry credentials/),
    });
    expect(await check('')).toMatchObject({ ok: false, reason: expect.stringMatching(/is missing/) });
  });

  it('refuses IPv6 forms that translate to loopback or private IPv4, and non-global IPv6 ranges', async () => {
    // As written in a URL (the parser normalises some: [0:0:0:0:0:ffff:127.0.0.1] becomes [::ffff:7f00:1]) and as DNS answers.
    const literals = [
      '::ffff:7f00:1', // IPv4-mapped, hex form of 127.0.0.1
      '0:0:0:0:0:ffff:127.0.0.1',
      '::ffff:0:7f00:1', // SIIT IPv4-translated ::ffff:0:0:0/96
      '::ffff:0:a9fe:a9fe',
      '::ffff:0:8.8.8.8', // translated form: never a real destination
      '::7f00:1', // IPv4-compatible (deprecated)
      '::a00:1',
      '::808:808',
      '64:ff9b::7f00:1', // NAT64 well-known prefix
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::7f00:1', // local-use NAT64 (RFC 8215): whatever the local translator reaches
      '64:ff9b:1:ffff::a00:1',
      '2002:7f00:1::', // 6to4 wrapping 127.0.0.1
      '2002:a00:1::1', // 6to4 wrapping 10.0.0.1
      '2002:a9fe:a9fe::1',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '2001::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'febf::1',
      'ff02::1',
      'ff0e::1',
      '100::1', // discard-only
      '2001:2::1', // benchmarking
      '2001:10::1', // ORCHID
      '2001:20::1', // ORCHIDv2
      '2001:db8::1', // documentation
      '3fff::1', // documentation (RFC 9637)
      '5f00::1', // SRv6 SIDs, outside global unicast 2000::/3
      '4000::1', // unassigned, outside 2000::/3
    ];
    for (const a of literals) expect(blockedAddressReason(a), a).not.toBeNull();
    for (const a of [
      '2606:4700::1111',
      '2a00:1450:4001:81c::200e',
      '2002:808:808::1',
      '64:ff9b::808:808',
      '::ffff:8.8.8.8',
    ]) {
      expect(blockedAddressReason(a), a).toBeNull();
    }
    for (const a of literals) {
      const url = `https://[${a}]/hook`;
      expect((await check(url)).ok, url).toBe(false);
      const resolved = await checkDestination('https://tricky.example/hook', {
        resolve: async () => ['52.1.2.3', a],
        allowedDevHosts: [],
        what: 'Webhook URL',
      });
      expect(resolved, `tricky.example resolving to ${a}`).toMatchObject({
        ok: false,
        reason: expect.stringContaining(`tricky.example resolves to ${a}`),
      });
    }
    expect(await check('https://[::ffff:0:7f00:1]/')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/::ffff:0:7f00:1, .*127\.0\.0\.1/),
    });
    expect(await check('https://[2002:a00:1::1]/')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/6to4.*10\.0\.0\.1/),
    });
  });

  it('lets listed development hosts through, over http too, and only those', async () => {
    expect((await check('http://127.0.0.1:9999/hook', '127.0.0.1')).ok).toBe(true);
    expect((await check('http://localhost:8025/x', 'localhost:8025')).ok).toBe(true);
    expect((await check('http://localhost:8026/x', 'localhost:8025')).ok).toBe(false);
    expect((await check('http://10.0.0.1/x', '127.0.0.1, localhost')).ok).toBe(false);
    expect(parseAllowedHosts(' 127.0.0.1,LOCALHOST:8025  mail.test ')).toEqual([
      '127.0.0.1',
      'localhost:8025',
      'mail.test',
    ]);
  });
});

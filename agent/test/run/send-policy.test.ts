import { describe, expect, it } from 'vitest';
import { RETRY_BASE_MS, recordFlush, sendDelay, sendPhaseMs } from '../../src/run/send-policy.ts';
import { initialStatus } from '../../src/run/status-writer.ts';

const settings = { sendIntervalS: 10, retryMaxS: 60, hostId: '3f1c2a9e-0d7b-4c55-9a61-2b8e4f0c7d13' };
const fresh = () => initialStatus({ depth: 0, dropped: 0, diskFullAt: null }, 1, 'start');
const offline = { status: 0, code: null, message: 'fetch failed' };

describe('sendDelay', () => {
  it("waits for the host's next slot on its phase grid while sending works", () => {
    const phase = sendPhaseMs(settings.hostId, 10);
    const t0 = 1_780_000_000_000 - (1_780_000_000_000 % 10_000); // a grid start
    // Just after its slot, a host waits (almost) a whole interval; just before, only the rest.
    expect(sendDelay(0, settings, Math.random, t0 + phase + 1)).toBe(9_999);
    expect(sendDelay(0, settings, Math.random, t0 + phase - 250 + 10_000)).toBe(250);
    // Every wait lands on the same grid: (now + delay − phase) is a multiple of the interval.
    for (const now of [t0, t0 + 1234, t0 + 9_999, t0 + 55_555]) {
      const delay = sendDelay(0, settings, Math.random, now);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(10_000);
      expect((now + delay - phase) % 10_000).toBe(0);
    }
  });

  it('spreads a fleet evenly over the interval by host id', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `host-${i}-${(i * 2654435761) % 4294967296}`);
    const perSecond = new Array<number>(10).fill(0);
    for (const id of ids) {
      const p = sendPhaseMs(id, 10);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(10_000);
      perSecond[Math.floor(p / 1000)]!++;
    }
    // 1,000 per second expected; a uniform hash stays well within ±15 %.
    for (const n of perSecond) expect(Math.abs(n - 1000)).toBeLessThan(150);
    expect(sendPhaseMs(ids[0]!, 10)).toBe(sendPhaseMs(ids[0]!, 10));
  });

  it('backs off from the base step, doubling per failure, within the upper half of each step, up to retryMaxS', () => {
    expect(sendDelay(1, settings, () => 0)).toBe(RETRY_BASE_MS / 2);
    expect(sendDelay(1, settings, () => 1)).toBe(RETRY_BASE_MS);
    expect(sendDelay(3, settings, () => 0)).toBe(2000);
    expect(sendDelay(3, settings, () => 1)).toBe(4000);
    expect(sendDelay(30, settings, () => 1)).toBe(60_000);
    expect(sendDelay(30, settings, () => 0)).toBe(30_000);
  });
});

describe('recordFlush', () => {
  it('counts rows and the send time, and logs nothing while all is well', () => {
    const status = fresh();
    const r = recordFlush(status, 0, { sent: 5, rejected: 0, error: null }, 0, 't1');
    expect(r).toEqual({ failures: 0, line: null });
    expect(status).toMatchObject({ sentRows: 5, rejectedRows: 0, lastSendAt: 't1', lastError: null });
  });

  it('records an empty queue as sent, but not a flush that sent nothing while rows remain', () => {
    const status = fresh();
    recordFlush(status, 0, { sent: 0, rejected: 0, error: null }, 0, 't1');
    expect(status.lastSendAt).toBe('t1');
    recordFlush(status, 0, { sent: 0, rejected: 0, error: null }, 3, 't2');
    expect(status.lastSendAt).toBe('t1');
  });

  it('records refused rows as the last error', () => {
    const status = fresh();
    recordFlush(status, 0, { sent: 1, rejected: 2, error: null }, 0, 't1');
    expect(status).toMatchObject({
      sentRows: 1,
      rejectedRows: 2,
      lastError: { at: 't1', message: '2 rows refused by the server (see the log)' },
    });
  });

  it('logs the first failure and every tenth, then the recovery with the count', () => {
    const status = fresh();
    let failures = 0;
    const lines: (string | null)[] = [];
    for (let i = 0; i < 10; i++) {
      const r = recordFlush(status, failures, { sent: 0, rejected: 0, error: offline }, 4, `t${i}`);
      failures = r.failures;
      lines.push(r.line && `${r.line.level} ${r.line.message}`);
    }
    expect(failures).toBe(10);
    expect(lines[0]).toBe('warn Sending failed (attempt 1), 4 rows queued: no response: fetch failed');
    expect(lines.slice(1, 9)).toEqual(Array(8).fill(null));
    expect(lines[9]).toBe('warn Sending failed (attempt 10), 4 rows queued: no response: fetch failed');
    expect(status.lastError).toEqual({ at: 't9', message: 'no response: fetch failed' });
    expect(status.lastSendAt).toBeNull();
    const back = recordFlush(status, failures, { sent: 4, rejected: 0, error: null }, 0, 't10');
    expect(back).toEqual({
      failures: 0,
      line: { level: 'info', message: 'Sending works again after 10 failed attempts' },
    });
  });
});

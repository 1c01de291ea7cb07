import { describe, expect, it } from 'vitest';
import { RETRY_BASE_MS, recordFlush, sendDelay } from '../../src/run/send-policy.ts';
import { initialStatus } from '../../src/run/status-writer.ts';

const settings = { sendIntervalS: 10, retryMaxS: 60 };
const fresh = () => initialStatus({ depth: 0, dropped: 0, diskFullAt: null }, 1, 'start');
const offline = { status: 0, code: null, message: 'fetch failed' };

describe('sendDelay', () => {
  it('waits the send interval while sending works', () => {
    expect(sendDelay(0, settings)).toBe(10_000);
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

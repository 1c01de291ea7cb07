import { describe, expect, it } from 'vitest';
import { nextRun, parseSchedule } from '../src/scheduler/cron-schedule.ts';

// Friday 27 February 2026, 10:07:30 UTC.
const AT = new Date('2026-02-27T10:07:30Z');

function next(schedule: string, from: Date = AT): string {
  const parsed = parseSchedule(schedule);
  if (!parsed) throw new Error(`rejected: ${schedule}`);
  return nextRun(parsed, from)!.toISOString();
}

describe('pg_cron schedule parsing', () => {
  it('computes the next minute for five-field expressions, in UTC', () => {
    expect(next('* * * * *')).toBe('2026-02-27T10:08:00.000Z');
    expect(next('*/15 * * * *')).toBe('2026-02-27T10:15:00.000Z');
    expect(next('5 4 * * *')).toBe('2026-02-28T04:05:00.000Z');
    expect(next('0 10-12/2 * * *')).toBe('2026-02-27T12:00:00.000Z');
    expect(next('30 9 1,15 * *')).toBe('2026-03-01T09:30:00.000Z');
    // Names, ranges of names, and 7 as Sunday.
    expect(next('5 4 * * mon-fri')).toBe('2026-03-02T04:05:00.000Z');
    expect(next('0 0 * * 7')).toBe('2026-03-01T00:00:00.000Z');
    expect(next('0 0 1 jan,jul *')).toBe('2026-07-01T00:00:00.000Z');
    // An exact minute boundary is not "after" itself.
    expect(next('8 10 * * *', new Date('2026-02-27T10:08:00Z'))).toBe('2026-02-28T10:08:00.000Z');
  });

  it('combines day of month and day of week as Vixie cron does', () => {
    // Both restricted: either matches (the 13th, or any Friday).
    expect(next('0 0 13 * fri', new Date('2026-03-07T00:00:00Z'))).toBe('2026-03-13T00:00:00.000Z');
    expect(next('0 0 13 * fri', new Date('2026-03-13T00:00:00Z'))).toBe('2026-03-20T00:00:00.000Z');
    // A field starting with `*` makes it AND: days 1, 11, 21, 31 that are Mondays.
    expect(next('0 0 */10 * 1')).toBe('2026-05-11T00:00:00.000Z');
  });

  it('supports `$` (last day of the month) and the @ keywords', () => {
    expect(next('0 12 $ * *')).toBe('2026-02-28T12:00:00.000Z');
    expect(next('0 12 $ * *', new Date('2026-02-28T13:00:00Z'))).toBe('2026-03-31T12:00:00.000Z');
    expect(next('@hourly')).toBe('2026-02-27T11:00:00.000Z');
    expect(next('@daily')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('@weekly')).toBe('2026-03-01T00:00:00.000Z');
    expect(next('@monthly')).toBe('2026-03-01T00:00:00.000Z');
    expect(next('@yearly')).toBe('2027-01-01T00:00:00.000Z');
    expect(parseSchedule('@reboot')).toEqual({ kind: 'reboot' });
  });

  it("parses '[1-59] seconds' intervals", () => {
    expect(parseSchedule('10 seconds')).toEqual({ kind: 'interval', seconds: 10 });
    expect(parseSchedule(' 1 second ')).toEqual({ kind: 'interval', seconds: 1 });
    expect(parseSchedule('59 SECONDS')).toEqual({ kind: 'interval', seconds: 59 });
    expect(next('30 seconds')).toBe('2026-02-27T10:08:00.000Z');
  });

  it('rejects what pg_cron rejects', () => {
    for (const bad of [
      '0 seconds',
      '60 seconds',
      '* * * *',
      '* * * * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '* * * * 8',
      '1/5 * * * *',
      '*/0 * * * *',
      '*/60 * * * *',
      '5-2 * * * *',
      '* * * foo *',
      '@often',
      '',
      'every minute',
      '* * 1$ * *',
    ]) {
      expect(parseSchedule(bad), bad).toBeNull();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { nextBoundary, Scheduler } from '../../src/run/scheduler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('nextBoundary', () => {
  it('is the next multiple of the interval, strictly after now', () => {
    expect(nextBoundary(5000, 12_345)).toBe(15_000);
    expect(nextBoundary(5000, 15_000)).toBe(20_000); // on a boundary: the next one, never now
    expect(nextBoundary(5000, 14_999)).toBe(15_000);
    expect(nextBoundary(100, 0)).toBe(100);
  });
});

describe('Scheduler', () => {
  it('never overlaps runs of one job, stops starting runs on halt, and settles once the run under way ends', async () => {
    const scheduler = new Scheduler();
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    let finished = 0;
    scheduler.every(10, async () => {
      started++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(60); // six ticks long: the ticks in between are skipped
      running--;
      finished++;
    });
    while (started < 2) await sleep(10);
    scheduler.halt();
    const startedAtHalt = started;
    await scheduler.settled();
    expect(running).toBe(0);
    expect(finished).toBe(startedAtHalt);
    expect(maxRunning).toBe(1);
    await sleep(50);
    expect(started).toBe(startedAtHalt); // nothing after halt
  });
});

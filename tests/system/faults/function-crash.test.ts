/**
 * A function worker dying in the middle of one request (process exit, or SIGKILL from outside): that request
 * fails with a 5xx that says so, and the next request is served by a fresh worker without any action.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStack } from '../../../testkit/src/fresh-stack.ts';
import type { RunningStack } from '../../../stack/src/stack.ts';

let stack: RunningStack;

beforeAll(async () => {
  // This file runs in its own process: the variable only points this stack at the fixture functions.
  process.env.VIBE_FUNCTIONS_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'crash-project', 'functions');
  process.env.VIBE_FUNCTIONS_WATCH = '0';
  stack = await freshStack();
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function call(body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${stack.env.SUPABASE_URL}/functions/v1/crashy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.env.SUPABASE_ANON_KEY}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('function worker crash', () => {
  it('fails only the request that crashed it and serves the next one', { timeout: 120_000 }, async () => {
    const first = await call({});
    expect(first.status, first.text).toBe(200);
    const pid1 = (JSON.parse(first.text) as { pid: number }).pid;

    const crashed = await call({ crash: true });
    expect(crashed.status, crashed.text).toBeGreaterThanOrEqual(500);
    expect(crashed.text.length, 'the 5xx carries a message').toBeGreaterThan(10);

    const next = await call({});
    expect(next.status, next.text).toBe(200);
    const pid2 = (JSON.parse(next.text) as { pid: number }).pid;
    expect(pid2).not.toBe(pid1);

    // Killed from outside between requests (OOM killer, operator): the next request is served too.
    process.kill(pid2, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const afterKill = await call({});
    expect(afterKill.status, afterKill.text).toBe(200);
    expect((JSON.parse(afterKill.text) as { pid: number }).pid).not.toBe(pid2);

    // Several requests in flight when one crashes the worker: the others are answered (200 or a clear 5xx), and service continues.
    const burst = await Promise.all([call({}), call({ crash: true }), call({}), call({})]);
    for (const r of burst) expect([200, 502, 503, 500]).toContain(r.status);
    const after = await Promise.all([call({}), call({}), call({})]);
    expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

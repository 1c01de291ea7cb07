/** Worker life cycle: crash and recovery, reload on file change, idle stop, one boot under concurrency, no orphans. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionsHarness, type FunctionsHarness } from './functions-harness.ts';
import { isAlive } from '../../testkit/src/process.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

describe('with the fixture functions', () => {
  let h: FunctionsHarness;
  const pidOf = async () => ((await (await fetch(`${h.url}/functions/v1/crash`)).json()) as { pid: number }).pid;

  beforeAll(async () => {
    h = await startFunctionsHarness({ idleMs: 1000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers 500 WORKER_ERROR when the worker dies mid-request, and serves the next request from a fresh worker', async () => {
    const before = await pidOf();
    const crashed = await fetch(`${h.url}/functions/v1/crash?mode=exit`);
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({
      code: 'WORKER_ERROR',
      message: 'Function exited due to an error (please check logs)',
    });
    await waitFor(() => !isAlive(before), { message: 'the crashed worker to exit', timeoutMs: 8000 });
    const after = await pidOf();
    expect(after).not.toBe(before);
    expect(h.functions.logs('crash').join('\n')).toMatch(/uncaught error outside the handler/);
  });

  it('answers 546 WORKER_LIMIT when the function outgrows its 256 MB heap', { timeout: 60_000 }, async () => {
    const res = await fetch(`${h.url}/functions/v1/memory-hog`);
    expect(res.status).toBe(546);
    expect(await res.json()).toEqual({
      code: 'WORKER_LIMIT',
      message: 'Worker failed to respond due to a resource limit (please check logs)',
    });
  });

  it('answers 500 WORKER_ERROR when the handler throws, and keeps the worker', async () => {
    const before = await pidOf();
    const thrown = await fetch(`${h.url}/functions/v1/crash?mode=throw`);
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toMatchObject({ code: 'WORKER_ERROR' });
    expect(await pidOf()).toBe(before);
  });

  it('stops an idle worker, and boots exactly one for a burst of concurrent first calls', async () => {
    const idle = await pidOf();
    await waitFor(() => !isAlive(idle), { message: 'the idle worker to stop', timeoutMs: 8000 });
    expect(h.functions.pids()).not.toContain(idle);
    const burst = await Promise.all(Array.from({ length: 12 }, () => pidOf()));
    expect(new Set(burst).size).toBe(1);
    expect(burst[0]).not.toBe(idle);
  });

  it('cancels the function’s stream when the client goes away', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${h.url}/functions/v1/stream?n=100&gap=50`, { signal: ctl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ctl.abort();
    await waitFor(() => h.functions.logs('stream').includes('stream cancelled by the client'), {
      message: 'the function to see the cancel',
      timeoutMs: 8000,
    });
  });
});

describe('reload on change', () => {
  let dir: string;
  let h: FunctionsHarness;
  const call = async () => (await fetch(`${h.url}/functions/v1/hot`)).text();

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-fn-watch-'));
    await fs.mkdir(path.join(dir, 'functions', 'hot'), { recursive: true });
    await fs.mkdir(path.join(dir, 'functions', '_shared'));
    await fs.writeFile(path.join(dir, 'config.toml'), '[functions.hot]\nverify_jwt = false\n');
    await fs.writeFile(path.join(dir, 'functions', '_shared', 'suffix.ts'), "export const suffix = '!';\n");
    await fs.writeFile(
      path.join(dir, 'functions', 'hot', 'index.ts'),
      "import { suffix } from '../_shared/suffix.ts';\nDeno.serve(() => new Response('v1' + suffix));\n",
    );
    h = await startFunctionsHarness({ functionsDir: path.join(dir, 'functions'), watch: true });
  });
  afterAll(async () => {
    await h?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('restarts a function when its files change, and every function when _shared changes', async () => {
    expect(await call()).toBe('v1!');
    await fs.writeFile(
      path.join(dir, 'functions', 'hot', 'index.ts'),
      "import { suffix } from '../_shared/suffix.ts';\nDeno.serve(() => new Response('v2' + suffix));\n",
    );
    await waitFor(async () => (await call()) === 'v2!', { message: 'the new version', timeoutMs: 8000 });
    await fs.writeFile(path.join(dir, 'functions', '_shared', 'suffix.ts'), "export const suffix = '?';\n");
    await waitFor(async () => (await call()) === 'v2?', { message: 'the shared change', timeoutMs: 8000 });
  });

  it('picks up verify_jwt from config.toml when it changes', async () => {
    await fs.writeFile(path.join(dir, 'config.toml'), '[functions.hot]\nverify_jwt = true\n');
    const res = await fetch(`${h.url}/functions/v1/hot`);
    expect(res.status).toBe(401);
  });
});

describe('stopping', () => {
  it('stop() ends every worker process', async () => {
    const h = await startFunctionsHarness();
    const anon = { authorization: `Bearer ${h.keys.anonKey}` };
    await Promise.all(
      ['open', 'crash', 'echo', 'stream?n=1'].map((n) =>
        fetch(`${h.url}/functions/v1/${n}`, { headers: anon }).then((r) => r.text()),
      ),
    );
    // An open stream keeps its worker busy; stop must not wait for it.
    const streaming = await fetch(`${h.url}/functions/v1/stream?n=1000&gap=100`);
    void streaming.body!.getReader().read();
    const pids = h.functions.pids();
    expect(pids.length).toBe(4);
    await h.stop();
    for (const pid of pids) expect(isAlive(pid), `worker ${pid}`).toBe(false);
  });

  it('leaves no worker behind when the stack process is killed outright', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-fn-orphan-'));
    const script = path.join(import.meta.dirname, 'fixtures', 'functions', 'serve-fixtures.ts');
    const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const url = await waitFor(() => /^(http:\S+)$/m.exec(out)?.[1], { message: 'the fixture server', timeoutMs: 8000 });
    const { pid } = (await (await fetch(`${url}/functions/v1/crash`)).json()) as { pid: number };
    expect(isAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !isAlive(pid), { message: 'the orphaned worker to exit', timeoutMs: 5000 });
    await fs.rm(dataDir, { recursive: true, force: true });
  });
});

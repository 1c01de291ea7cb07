/**
 * An `npm:` import the project has not installed falls back to the npm registry, as hosted functions resolve it.
 * The registry is a local one (NPM_CONFIG_REGISTRY, which the stack passes to Deno) and Deno's cache a fresh
 * folder, so this runs on a machine that cannot reach any registry.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionsHarness, type FunctionsHarness } from './functions-harness.ts';
import { startLocalRegistry, type LocalRegistry } from './npm-registry.ts';

let h: FunctionsHarness;
let registry: LocalRegistry;
let denoDir = '';

beforeAll(async () => {
  registry = await startLocalRegistry('vibe-registry-fixture', '1.0.0', {
    'index.js': 'module.exports = (s, n, c) => String(s).padStart(n, c);\n',
  });
  // Read by the stack when it starts (Deno's cache folder) and by each worker it spawns (the registry).
  denoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-deno-cache-'));
  process.env.DENO_DIR = denoDir;
  process.env.NPM_CONFIG_REGISTRY = registry.url;
  h = await startFunctionsHarness();
});
afterAll(async () => {
  await h?.stop();
  await registry?.close();
  if (denoDir) await fs.rm(denoDir, { recursive: true, force: true });
});

describe('npm: imports not in node_modules', () => {
  it('are fetched from the configured npm registry once the project lookup fails', { timeout: 60_000 }, async () => {
    const res = await fetch(`${h.url}/functions/v1/npm-registry`);
    expect(await res.text()).toBe('007');
    expect(h.functions.logs('npm-registry').join('\n')).toMatch(/resolving npm: imports from the registry/);
    expect(registry.requests).toEqual(
      expect.arrayContaining(['/vibe-registry-fixture', '/vibe-registry-fixture/-/vibe-registry-fixture-1.0.0.tgz']),
    );
  });
});

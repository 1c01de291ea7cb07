/** A gateway with only /functions/v1, pointed at a functions folder, sharing the test stack's keys and URLs. */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { StackContext } from '../src/context.ts';
import { startFunctions, type FunctionsServer } from '../src/functions/index.ts';
import { createGateway, type Route } from '../src/gateway/server.ts';
import { buildKeys, loadSecrets, type Keys } from '../src/keys.ts';

/** The fixture project: `config.toml` beside `functions/`. */
export const FIXTURE_FUNCTIONS = path.join(import.meta.dirname, 'fixtures', 'functions', 'supabase', 'functions');

export interface FunctionsHarness {
  /** Base URL of this gateway (use `${url}/functions/v1/<name>`). */
  url: string;
  keys: Keys;
  functions: FunctionsServer;
  stack: ReturnType<typeof inject<'stack'>>;
  stop(): Promise<void>;
}

/** Starts the functions service behind a real gateway; the workers talk to the shared test stack. */
export async function startFunctionsHarness(
  opts: { functionsDir?: string; watch?: boolean; idleMs?: number } = {},
): Promise<FunctionsHarness> {
  const stack = inject('stack');
  const keys = await buildKeys(await loadSecrets(stack.DATA_DIR));
  const config = loadConfig(process.env, {
    dataDir: stack.DATA_DIR,
    functionsDir: opts.functionsDir ?? FIXTURE_FUNCTIONS,
    functionsWatch: opts.watch ?? false,
  });
  const routes: Route[] = [];
  const server = createGateway({ keys, maxBodyBytes: 8 * 1024 * 1024, routes, upgrades: [] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pool = new pg.Pool({ connectionString: stack.SUPABASE_DB_URL, max: 1 });
  const ctx: StackContext = { config, keys, pool, dbUrl: stack.SUPABASE_DB_URL, publicUrl: url, schemas: ['public'] };
  const { DATA_DIR: _dataDir, ...env } = stack;
  const functions = await startFunctions(ctx, env, { ...(opts.idleMs ? { idleMs: opts.idleMs } : {}) });
  routes.push({ prefix: '/functions/v1', service: functions.service, requiresApiKey: false });
  return {
    url,
    keys,
    functions,
    stack,
    async stop() {
      await functions.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}

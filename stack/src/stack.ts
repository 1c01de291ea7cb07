/** Starts the whole local stack (Postgres, bootstrap, migrations, gateway and services) and stops it cleanly. */
import fs from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type StackConfig } from './config.ts';
import type { StackContext } from './context.ts';
import { bootstrap, migrate, pendingMigrations } from './db/migrate.ts';
import { PostgresServer } from './db/postgres.ts';
import { createGateway, type GatewayOptions, type Route } from './gateway/server.ts';
import { buildKeys, loadSecrets } from './keys.ts';
import { createRestService } from './rest/index.ts';
import { createAuthService } from './auth/index.ts';
import { readToml } from './auth/config-toml.ts';
import { createMailboxService, Mailbox } from './auth/mailbox.ts';
import type { ApiSettings } from './context.ts';
import { startFunctions } from './functions/index.ts';
import { startRealtime } from './realtime/index.ts';
import { startRedis } from './redis/index.ts';
import { startScheduler } from './scheduler/index.ts';
import { installEmulatedExtensions } from './scheduler/install.ts';

export interface StackEnv {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_PUBLISHABLE_KEY: string;
  SUPABASE_SECRET_KEY: string;
  SUPABASE_DB_URL: string;
  SUPABASE_JWT_SECRET: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  /** The local mailbox every Auth email lands in (`/mailbox`; JSON API under `/mailbox/api`, secret key only). */
  VIBE_MAILBOX_URL: string;
}

export interface RunningStack {
  readonly config: StackConfig;
  readonly env: StackEnv;
  readonly context: StackContext;
  readonly postgres: PostgresServer | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where progress lines go (`npm run stack` prints them); default: nowhere. */
  log?: (line: string) => void;
  /** Where Edge Function log lines go (`npm run stack` prints them); default: stderr with VIBE_VERBOSE=1, else nowhere. */
  functionLogs?: (line: string) => void;
  /** Extra schemas to expose through /rest/v1 after the defaults. */
  extraSchemas?: string[];
}

/** Starts everything and writes `<dataDir>/stack.env`. */
export async function startStack(
  config: StackConfig = loadConfig(),
  options: StartOptions = {},
): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const secrets = await loadSecrets(config.dataDir);
  const keys = await buildKeys(secrets);
  let postgres: PostgresServer | null = null;
  let dbUrl: string;
  if (config.externalDatabaseUrl) {
    dbUrl = config.externalDatabaseUrl;
    log(`Using existing Postgres from DATABASE_URL`);
  } else {
    postgres = new PostgresServer({
      dataDir: config.dbDir,
      port: config.dbPort,
      password: secrets.dbPassword,
      verbose: config.verbose,
      onUnexpectedExit: (code, signal) =>
        log(`Postgres exited unexpectedly (code ${code}, signal ${signal}); restarting`),
    });
    await postgres.start();
    dbUrl = postgres.url;
    log(`Postgres 17 on port ${config.dbPort}`);
  }
  const pool = new pg.Pool({ connectionString: dbUrl, max: 20, idleTimeoutMillis: 30000 });
  pool.on('error', () => {}); // a dropped idle client (e.g. Postgres restart) is replaced on next use
  // A backend terminated while its client is checked out (Postgres restart) emits 'error' on that client, which would
  // crash the stack without a listener; the pending query fails with the same error and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  const stopAll: (() => Promise<void>)[] = [];
  try {
    if (postgres) {
      // pg_cron/pg_net emulations must be installable before the bootstrap enables them.
      const warning = await installEmulatedExtensions();
      if (warning) log(warning);
    }
    await bootstrap(dbUrl);
    const pending = await pendingMigrations(config.projectDir, dbUrl);
    if (pending.length > 0) {
      const t0 = performance.now();
      log(`Applying ${pending.length} migration${pending.length === 1 ? '' : 's'}…`);
      await migrate(config.projectDir, dbUrl);
      log(`Migrations applied in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      await migrate(config.projectDir, dbUrl);
    }
    const api = apiSettings(path.join(config.projectDir, 'supabase', 'config.toml'));
    const schemas = [...new Set([...api.schemas, ...(options.extraSchemas ?? [])])];
    const routes: Route[] = [];
    const upgrades: GatewayOptions['upgrades'] = [];
    const server: http.Server = createGateway({ keys, maxBodyBytes: config.maxBodyBytes, routes, upgrades });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.gatewayPort, config.host, () => resolve());
    });
    stopAll.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const publicUrl = `http://${config.host}:${port}`;
    const context: StackContext = { config, keys, pool, dbUrl, publicUrl, schemas, api };
    const mailbox = new Mailbox();
    const auth = createAuthService(context, { mailbox });
    routes.push(
      { prefix: '/rest/v1', service: createRestService(context), requiresApiKey: true },
      { prefix: '/auth/v1/.well-known', base: '/auth/v1', service: auth, requiresApiKey: false },
      // The link in an email is opened by a browser without an apikey: the CLI's gateway leaves /verify open too.
      { prefix: '/auth/v1/verify', base: '/auth/v1', service: auth, requiresApiKey: false },
      { prefix: '/auth/v1', service: auth, requiresApiKey: true },
      { prefix: '/mailbox', service: createMailboxService(mailbox, keys), requiresApiKey: false },
    );
    const redis = await startRedis(context);
    stopAll.push(() => redis.stop());
    routes.push({ prefix: '/upstash', service: redis.service, requiresApiKey: false });
    const realtime = await startRealtime(context);
    stopAll.push(() => realtime.stop());
    routes.push({ prefix: '/realtime/v1', service: realtime.service, requiresApiKey: true });
    upgrades.push({ prefix: '/realtime/v1', handler: realtime.upgrade });
    const env: StackEnv = {
      SUPABASE_URL: publicUrl,
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_PUBLISHABLE_KEY: secrets.publishableKey,
      SUPABASE_SECRET_KEY: secrets.secretKey,
      SUPABASE_DB_URL: dbUrl,
      SUPABASE_JWT_SECRET: secrets.jwtSecret,
      UPSTASH_REDIS_REST_URL: `${publicUrl}/upstash`,
      UPSTASH_REDIS_REST_TOKEN: redis.token,
      VIBE_MAILBOX_URL: `${publicUrl}/mailbox`,
    };
    const functions = await startFunctions(
      context,
      { ...env },
      options.functionLogs ? { print: options.functionLogs } : {},
    );
    stopAll.push(() => functions.stop());
    routes.push({ prefix: '/functions/v1', service: functions.service, requiresApiKey: false });
    await configureFunctionEndpoint(pool, `${publicUrl}/functions/v1`, keys.serviceRoleKey);
    const scheduler = await startScheduler(context);
    stopAll.push(() => scheduler.stop());
    await writeEnvFile(path.join(config.dataDir, 'stack.env'), env);
    let stopped: Promise<void> | null = null;
    return {
      config,
      env,
      context,
      postgres,
      stop() {
        stopped ??= (async () => {
          for (const fn of stopAll.reverse()) await fn().catch(() => {});
          await pool.end().catch(() => {});
          await postgres?.stop();
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const fn of stopAll.reverse()) await fn().catch(() => {});
    await pool.end().catch(() => {});
    await postgres?.stop();
    throw err;
  }
}

/**
 * `[api]` of the project's config.toml as the CLI hands it to PostgREST: `schemas` (default public and
 * graphql_public), `extra_search_path` (default public, extensions), `max_rows` (default 1000).
 */
function apiSettings(file: string): ApiSettings & { schemas: string[] } {
  const table = readToml(file).get('api') ?? {};
  const list = (key: string, fallback: string[]) => {
    const v = table[key];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.some((s) => !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(s)))
      throw new Error(`Invalid config.toml [api] ${key}: expected a list of schema names, got ${JSON.stringify(v)}`);
    return v;
  };
  const maxRows = table.max_rows ?? 1000;
  if (typeof maxRows !== 'number' || !Number.isInteger(maxRows) || maxRows < 1)
    throw new Error(
      `Invalid config.toml [api] max_rows: expected a whole number of at least 1, got ${JSON.stringify(maxRows)}`,
    );
  const schemas = list('schemas', ['public', 'graphql_public']);
  return {
    schemas: schemas.length ? schemas : ['public'],
    extraSearchPath: list('extra_search_path', ['public', 'extensions']),
    maxRows,
  };
}

/** Tells the project's pg_net triggers and pg_cron jobs where the functions are (supabase/README.md), when its schema asks. */
async function configureFunctionEndpoint(pool: pg.Pool, url: string, key: string): Promise<void> {
  const { rows } = await pool.query<{ ok: boolean }>(
    `select to_regprocedure('private.configure_edge_functions(text,text)') is not null as ok`,
  );
  if (rows[0]?.ok) await pool.query('select private.configure_edge_functions($1, $2)', [url, key]);
}

async function writeEnvFile(file: string, env: StackEnv): Promise<void> {
  const text =
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n';
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text, { mode: 0o600 });
  await fs.chmod(file, 0o600);
}

/**
 * The demo agent watches more than its host, so every panel of the dashboard has data on a fresh
 * `npm start`: the stack's own Postgres (database panel, top statements) through a least-privilege
 * login role, and an HTTP check of the dashboard itself.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';

/** The login role the demo agent reads database statistics with: pg_monitor and nothing else. */
export const MONITOR_ROLE = 'vibe_demo_monitor';
/** Names of the entries `npm start` owns in the agent's config; anything else there is the user's. */
export const STACK_DATABASE = 'stack';
export const DASHBOARD_CHECK = 'dashboard';

/** Creates (or re-keys) the monitoring role; returns its connection string. */
export async function ensureMonitorRole(dbUrl: string): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [MONITOR_ROLE]);
    // The password is url-safe base64 generated here, so quoting it as a literal is safe.
    const verb = rowCount ? 'alter' : 'create';
    await client.query(`${verb} role ${MONITOR_ROLE} login password '${password}' connection limit 5`);
    await client.query(`grant pg_monitor to ${MONITOR_ROLE}`);
  } finally {
    await client.end();
  }
  const url = new URL(dbUrl);
  url.username = MONITOR_ROLE;
  url.password = password;
  return url.toString();
}

interface Named {
  name?: string;
  [field: string]: unknown;
}

/** Writes the stack database and the dashboard check into the agent's config, replacing earlier demo entries. */
export function writeDemoChecks(configFile: string, databaseUrl: string, dashboardUrl: string): void {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
    databases?: (string | Named)[];
    httpChecks?: (string | Named)[];
  };
  const others = (list: (string | Named)[] | undefined, name: string) =>
    (list ?? []).filter((e) => typeof e === 'string' || e.name !== name);
  config.databases = [...others(config.databases, STACK_DATABASE), { name: STACK_DATABASE, url: databaseUrl }];
  config.httpChecks = [
    ...others(config.httpChecks, DASHBOARD_CHECK),
    { name: DASHBOARD_CHECK, url: `${dashboardUrl}/login`, expectedStatus: 200, intervalS: 30 },
  ];
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

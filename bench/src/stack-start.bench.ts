/** Stack start to ready on an existing data directory, against bare Postgres on the same directory; idle memory of the whole stack. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../stack/src/config.ts';
import { PostgresServer } from '../../stack/src/db/postgres.ts';
import { loadSecrets } from '../../stack/src/keys.ts';
import { startStack } from '../../stack/src/stack.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { report } from './harness.ts';
import { treePssMiB } from './load/memory.ts';

const ROUNDS = 3;
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-bench-start-'));
await fs.chmod(dir, 0o755);
const config = loadConfig(process.env, {
  dataDir: dir,
  gatewayPort: 0,
  dbPort: await freePort(),
  externalDatabaseUrl: null,
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  // First start: initdb, bootstrap, every migration.
  let t0 = performance.now();
  let stack = await startStack(config);
  const firstMs = performance.now() - t0;
  await stack.stop();

  const stackMs: number[] = [];
  const postgresMs: number[] = [];
  let idleMiB = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // Baseline: Postgres alone on the same data directory.
    const pg = new PostgresServer({
      dataDir: config.dbDir,
      port: config.dbPort,
      password: (await loadSecrets(dir)).dbPassword,
    });
    t0 = performance.now();
    await pg.start();
    postgresMs.push(performance.now() - t0);
    await pg.stop();

    t0 = performance.now();
    stack = await startStack(config);
    stackMs.push(performance.now() - t0);
    if (i === ROUNDS - 1) {
      await new Promise((r) => setTimeout(r, 10_000)); // let start-up garbage settle
      idleMiB = treePssMiB(process.pid);
    }
    await stack.stop();
  }
  const s = median(stackMs) / 1000;
  const p = median(postgresMs) / 1000;
  process.stdout.write(`first start (initdb + migrations): ${(firstMs / 1000).toFixed(2)} s\n`);
  report([
    { figure: 'Stack start to ready, existing data directory', value: s, unit: 's', goal: '', met: null, issue: 2 },
    {
      figure: 'Stack start ÷ bare Postgres start, same data directory',
      value: s / p,
      unit: '×',
      goal: '',
      met: null,
      issue: 2,
    },
    {
      figure: 'Stack memory when idle (PSS: Node, Postgres, redis-server)',
      value: idleMiB,
      unit: 'MiB',
      goal: '',
      met: null,
      issue: 2,
    },
  ]);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}

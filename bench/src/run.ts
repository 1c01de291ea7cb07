/** `npm run bench`: runs every `bench/src/*.bench.ts` in its own process, collects RESULT rows, writes bench/RESULTS.md. */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './harness.ts';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const rows: BenchResult[] = [];
const failures: string[] = [];
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const run = spawnSync(process.execPath, [path.join(dir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60 * 1000,
  });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('RESULT ')) rows.push(JSON.parse(line.slice(7)) as BenchResult);
    else if (line) process.stdout.write(`${line}\n`);
  }
  if (run.status !== 0) failures.push(`${file} (exit ${run.status})`);
}

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3));
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}.`,
  '',
  '| issue | figure | value | goal | met |',
  '|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| #${r.issue} | ${r.figure} | ${fmt(r.value)} ${r.unit} | ${r.goal || '—'} | ${r.met === null ? '—' : r.met ? 'yes' : 'no'} |`,
  ),
  '',
];
if (only.length === 0) writeFileSync(path.join(dir, '..', 'RESULTS.md'), lines.join('\n'));
process.stdout.write(`\n${lines.join('\n')}\n`);
if (failures.length) {
  process.stderr.write(`Failed benchmarks: ${failures.join(', ')}\n`);
  process.exit(1);
}

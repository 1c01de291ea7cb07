/** Test helpers: runs the instrumented app (fixtures/otel-app) as a child process and drives traffic through it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const appFile = path.resolve(import.meta.dirname, 'fixtures', 'otel-app', 'app.ts');

/** How the app exports. */
export interface OtelAppOptions {
  endpoint: string;
  protocol: 'json' | 'protobuf';
  temporality?: 'delta' | 'cumulative';
  signals?: ('metrics' | 'traces')[];
  gzip?: boolean;
  service: string;
}

/** A running instrumented app. */
export interface OtelApp {
  readonly child: ChildProcess;
  readonly url: string;
  /** Forces both exporters to send now; resolves once the receiver answered. */
  flush(): Promise<void>;
  /** Durations (ms) the app exported, by "METHOD route status". */
  recorded(): Promise<Record<string, number[]>>;
  stop(): Promise<void>;
}

/** Starts the app and waits until it listens. */
export async function startOtelApp(o: OtelAppOptions): Promise<OtelApp> {
  const child = spawn(process.execPath, [appFile], {
    env: {
      ...process.env,
      OTLP_ENDPOINT: o.endpoint,
      OTLP_PROTOCOL: o.protocol,
      OTLP_TEMPORALITY: o.temporality ?? 'delta',
      OTLP_SIGNALS: (o.signals ?? ['metrics', 'traces']).join(','),
      OTLP_GZIP: o.gzip ? '1' : '0',
      SERVICE_NAME: o.service,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`The OTel app exited (${code}) before listening: ${err}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    child,
    url,
    async flush() {
      const res = await fetch(`${url}/_flush`, { method: 'POST' });
      if (!res.ok) throw new Error(`Flush failed: ${res.status}`);
    },
    async recorded() {
      return (await (await fetch(`${url}/_recorded`)).json()) as Record<string, number[]>;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Sends `paths` to the app, `concurrency` at a time. */
export async function drive(baseUrl: string, paths: string[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const p = paths[next++]!;
      const res = await fetch(`${baseUrl}${p}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Nearest-rank percentile, the definition the agent uses for spans. */
export function nearestRank(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

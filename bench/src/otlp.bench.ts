/**
 * OTLP ingestion cost in the host agent (issue 7).
 *
 * 1. In-process: decode + derive of 10,000 SERVER spans (batches of 512, as the SDK's
 *    BatchSpanProcessor sends them, serialized by the SDK's own serializers), protobuf and JSON.
 * 2. The running agent (`vibe-agent run`, OTLP on, sending to a throw-away stack): CPU time per
 *    10,000 spans received over HTTP, from /proc/<pid>/stat, next to a bare Node HTTP server that
 *    reads and drops the same requests (the baseline: what receiving alone costs).
 * 3. Resident memory of the running agent once 50 services × 100 routes have sent cumulative
 *    duration histograms (two status codes per route: 10,000 series remembered) and spans, next to
 *    the same agent idle with the receiver on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  JsonTraceSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpAggregator } from '../../agent/src/otlp/aggregator.ts';
import { decodeTracesJson } from '../../agent/src/otlp/decode-json.ts';
import { decodeTracesProto } from '../../agent/src/otlp/decode-proto.ts';
import { provisionHost, sql } from '../../testkit/src/provision.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { report } from './harness.ts';
import { agentEnv } from '../../testkit/src/agent-env.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';
import { cpuSeconds, rssMb } from './proc.ts';

const SERVICES = 50;
const ROUTES = 100;
const BATCH = 512;
const ROUNDS = Number(process.env.BENCH_OTLP_ROUNDS ?? 10); // × 10,000 spans per encoding
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 10,000 SERVER spans over SERVICES × ROUTES, as batches of BATCH spans (one service per batch, as one process sends). */
function spanBatches(): ReadableSpan[][] {
  const batches: ReadableSpan[][] = [];
  const perService = Math.ceil(10_000 / SERVICES);
  for (let s = 0; s < SERVICES; s++) {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': `svc-${s}` }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('bench');
    const now = Date.now();
    for (let i = 0; i < perService; i++) {
      const r = (s * 7 + i) % ROUTES;
      const status = i % 20 === 0 ? 500 : 200;
      const span = tracer.startSpan(`GET /r${r}/:id`, {
        kind: SpanKind.SERVER,
        startTime: now + i,
        attributes: {
          'http.request.method': 'GET',
          'http.route': `/r${r}/:id`,
          'url.path': `/r${r}/${i}`,
          'http.response.status_code': status,
          'server.address': 'app.local',
        },
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(now + i + 1 + (i % 250));
    }
    const spans = exporter.getFinishedSpans();
    for (let i = 0; i < spans.length; i += BATCH) batches.push(spans.slice(i, i + BATCH));
  }
  return batches;
}

/** Cumulative duration histograms for SERVICES × ROUTES × {200, 500}, serialized; call twice for two exports. */
function metricsPayloads(): () => Promise<Uint8Array[]> {
  const providers = Array.from({ length: SERVICES }, (_, s) => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': `svc-${s}` }),
      readers: [reader],
    });
    const h = provider.getMeter('bench').createHistogram('http.server.request.duration', {
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      },
    });
    return { exporter, reader, h };
  });
  return () => {
    for (const p of providers) {
      for (let r = 0; r < ROUTES; r++) {
        for (let i = 0; i < 5; i++)
          p.h.record(0.001 * (1 + ((r + i * 13) % 200)), {
            'http.request.method': 'GET',
            'http.route': `/r${r}/:id`,
            'http.response.status_code': i === 0 ? 500 : 200,
          });
      }
    }
    return Promise.all(
      providers.map(async (p) => {
        p.exporter.reset();
        await p.reader.forceFlush();
        return ProtobufMetricsSerializer.serializeRequest(p.exporter.getMetrics().at(-1)!)!;
      }),
    );
  };
}

const batches = spanBatches();
const protoBodies = batches.map((b) => ProtobufTraceSerializer.serializeRequest(b)!);
const jsonBodies = batches.map((b) => JsonTraceSerializer.serializeRequest(b)!);
const spanCount = batches.reduce((a, b) => a + b.length, 0);
const per10k = 10_000 / spanCount;
process.stdout.write(
  `${spanCount} spans in ${batches.length} batches; protobuf ${(protoBodies.reduce((a, b) => a + b.length, 0) / 1e6).toFixed(2)} MB, JSON ${(jsonBodies.reduce((a, b) => a + b.length, 0) / 1e6).toFixed(2)} MB\n`,
);

// 1. In-process decode + derive.
function inProcess(bodies: Uint8Array[], decode: (b: Uint8Array) => void): number {
  for (let i = 0; i < 3; i++) for (const b of bodies) decode(b); // warm-up
  const u0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) for (const b of bodies) decode(b);
  const u = process.cpuUsage(u0);
  return ((u.user + u.system) / 1000 / ROUNDS) * per10k;
}
const agg = new OtlpAggregator({ maxRoutesPerService: ROUTES, maxServices: SERVICES });
const protoMs = inProcess(protoBodies, (b) => agg.addSpans(decodeTracesProto(b)));
agg.drain();
const jsonMs = inProcess(jsonBodies, (b) =>
  agg.addSpans(decodeTracesJson(JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')))),
);
agg.drain();

// 2 and 3. The running agent and a bare receiver.
const stack = await freshStack();
const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-bench-otlp-'));
try {
  const host = await provisionHost(stack.env, 'bench-otlp');
  const agentPort = await freePort();
  const agent = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../agent/src/cli.ts'), 'run'], {
    env: {
      ...process.env,
      ...agentEnv({ ...stack.env, SUPABASE_ANON_KEY: stack.env.SUPABASE_PUBLISHABLE_KEY }, host, {
        dataDir,
        extra: {
          VIBE_AGENT_OTLP: '1',
          VIBE_AGENT_OTLP_ADDRESS: `127.0.0.1:${agentPort}`,
          VIBE_AGENT_SEND_INTERVAL: '2',
        },
      }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(agent);
  let agentLog = '';
  agent.stderr!.on('data', (b: Buffer) => (agentLog += b.toString()));
  const barePort = await freePort();
  const bareCode = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': q.headers['content-type'] }); s.end(); }); }).listen(${barePort}, '127.0.0.1')`;
  const bare = spawn(process.execPath, ['-e', bareCode], { stdio: 'ignore' });
  children.push(bare);

  const post = (port: number, pathName: string, body: Uint8Array, type: string) =>
    fetch(`http://127.0.0.1:${port}${pathName}`, {
      method: 'POST',
      body: body as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': type },
    }).then(async (r) => {
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`OTLP POST answered ${r.status}`);
    });
  const waitUp = async (port: number) => {
    for (let i = 0; i < 100; i++) {
      try {
        await post(port, '/v1/traces', new Uint8Array(0), 'application/x-protobuf');
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`Nothing listens on ${port}: ${agentLog.slice(-2000)}`);
  };
  await waitUp(agentPort);
  await waitUp(barePort);
  await sleep(4000); // past start-up: session, first sends
  const idleRss = rssMb(agent.pid!);

  // 3 first, on a fresh process: 50 services × 100 routes of cumulative histograms (two exports, so every series is differenced) plus spans.
  const nextMetrics = metricsPayloads();
  for (let round = 0; round < 2; round++) {
    const bodies = await nextMetrics();
    for (const b of bodies) await post(agentPort, '/v1/metrics', b, 'application/x-protobuf');
    for (const b of protoBodies) await post(agentPort, '/v1/traces', b, 'application/x-protobuf');
    await sleep(2500); // one send interval: rows derived and queued
  }
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    rss.push(rssMb(agent.pid!));
    await sleep(1000);
  }
  const loadedRss = Math.max(...rss);

  /** CPU ms per 10,000 spans a process spends receiving ROUNDS × the batches, idle CPU over the same time taken off. */
  async function cpuPer10k(pid: number, port: number, bodies: Uint8Array[], type: string): Promise<number> {
    for (const b of bodies) await post(port, '/v1/traces', b, type); // warm-up
    const i0 = cpuSeconds(pid);
    const t0 = Date.now();
    await sleep(2000);
    const idlePerMs = (cpuSeconds(pid) - i0) / (Date.now() - t0);
    const c0 = cpuSeconds(pid);
    const s0 = Date.now();
    for (let i = 0; i < ROUNDS; i++) for (const b of bodies) await post(port, '/v1/traces', b, type);
    const cpu = cpuSeconds(pid) - c0 - idlePerMs * (Date.now() - s0);
    return ((Math.max(0, cpu) * 1000) / ROUNDS) * per10k;
  }
  const agentProto = await cpuPer10k(agent.pid!, agentPort, protoBodies, 'application/x-protobuf');
  const bareProto = await cpuPer10k(bare.pid!, barePort, protoBodies, 'application/x-protobuf');
  const agentJson = await cpuPer10k(agent.pid!, agentPort, jsonBodies, 'application/json');
  const bareJson = await cpuPer10k(bare.pid!, barePort, jsonBodies, 'application/json');

  const bareRss = rssMb(bare.pid!);
  const [counted] = await sql<{ n: number }>(
    stack.env,
    "select count(*)::int n from app_samples where host_id = $1 and kind = 'app'",
    [host.hostId],
  );
  const appRows = counted!.n;
  process.stdout.write(
    `agent idle RSS ${idleRss.toFixed(1)} MB, bare receiver RSS ${bareRss.toFixed(1)} MB; ${appRows} app_samples rows stored\n`,
  );

  report([
    {
      figure: 'OTLP decode + derive per 10,000 spans, protobuf (in-process)',
      value: protoMs,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'OTLP decode + derive per 10,000 spans, JSON (in-process)',
      value: jsonMs,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Running agent CPU per 10,000 received spans, protobuf',
      value: agentProto,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Running agent CPU per 10,000 received spans, JSON',
      value: agentJson,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Agent / bare HTTP receiver CPU per span, protobuf',
      value: agentProto / bareProto,
      unit: 'ratio',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Agent / bare HTTP receiver CPU per span, JSON',
      value: agentJson / bareJson,
      unit: 'ratio',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Running agent resident memory with 50 services × 100 routes',
      value: loadedRss,
      unit: 'MB',
      goal: '',
      met: null,
      issue: 7,
    },
    {
      figure: 'Resident memory added by 50 services × 100 routes (over the idle agent)',
      value: loadedRss - idleRss,
      unit: 'MB',
      goal: '',
      met: null,
      issue: 7,
    },
  ]);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The OTLP/HTTP receiver over real HTTP: answers per the OTLP spec, limits, and nothing used from refused requests. */
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.ts';
import { ProtoReader, ProtoWriter } from '../src/otlp/protobuf.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../src/otlp/receiver.ts';

const MAX = 32 * 1024;
let r: OtlpReceiver;
let base: string;
beforeAll(async () => {
  r = await startOtlpReceiver(
    { enabled: true, host: '127.0.0.1', port: 0, maxBodyBytes: MAX, maxRoutesPerService: 100, maxServices: 100 },
    'host',
    silentLogger,
  );
  base = `http://127.0.0.1:${r.port}`;
});
afterAll(async () => {
  await r.close();
});

const nowNs = () => String(BigInt(Date.now()) * 1_000_000n);
function tracesJson(service: string, n = 1) {
  const t = nowNs();
  const spans = Array.from({ length: n }, () => ({
    name: 'GET /x',
    kind: 2,
    startTimeUnixNano: t,
    endTimeUnixNano: String(BigInt(t) + 3_000_000n),
    attributes: [{ key: 'http.route', value: { stringValue: '/x' } }],
  }));
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
    ],
  };
}
/** A protobuf ExportTraceServiceRequest with one SERVER span of `ms` milliseconds. */
function tracesProto(service: string, ms: number): Uint8Array {
  const fixed = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return b;
  };
  const start = BigInt(Date.now()) * 1_000_000n;
  const span = Uint8Array.from([
    ...new ProtoWriter().string(5, 'GET /p').uint(6, 2).finish(),
    0x39,
    ...fixed(start), // 7: start, fixed64
    0x41,
    ...fixed(start + BigInt(ms * 1e6)), // 8: end
  ]);
  const kv = new ProtoWriter()
    .string(1, 'service.name')
    .bytes(2, new ProtoWriter().string(1, service).finish())
    .finish();
  const resource = new ProtoWriter().bytes(1, kv).finish();
  const scope = new ProtoWriter().bytes(2, span).finish();
  return new ProtoWriter().bytes(1, new ProtoWriter().bytes(1, resource).bytes(2, scope).finish()).finish();
}
// A Uint8Array over ArrayBufferLike is not a BodyInit in the DOM typings, though fetch sends it as bytes.
const post = (path: string, body: BodyInit | Uint8Array, headers: Record<string, string>) =>
  fetch(`${base}${path}`, { method: 'POST', body: body as BodyInit, headers });
const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };

function expectNothingFrom(prefix: string) {
  expect(r.aggregator.drain().filter((f) => f.service.startsWith(prefix))).toEqual([]);
}

describe('OTLP/HTTP receiver', () => {
  it('accepts JSON and protobuf, plain and gzip, answering an empty Export*ServiceResponse in the same encoding', async () => {
    const a = await post('/v1/traces', JSON.stringify(tracesJson('ok-json', 2)), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(await a.json()).toEqual({});
    const b = await post('/v1/traces', zlib.gzipSync(tracesProto('ok-proto', 7)), {
      ...proto,
      'content-encoding': 'gzip',
    });
    expect(b.status).toBe(200);
    expect(b.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await b.arrayBuffer()).byteLength).toBe(0);
    const c = await post('/v1/metrics', zlib.gzipSync(JSON.stringify({ resourceMetrics: [] })), {
      ...json,
      'content-encoding': 'gzip',
    });
    expect(c.status).toBe(200);
    const figures = r.aggregator.drain();
    expect(figures.find((f) => f.service === 'ok-json')).toMatchObject({ route: '/x', requests: 2, p50Ms: 3 });
    expect(figures.find((f) => f.service === 'ok-proto')).toMatchObject({ route: '/p', requests: 1, p99Ms: 7 });
  });

  it('answers partial_success with the rejected count and the reason, in JSON and protobuf', async () => {
    const point = {
      startTimeUnixNano: nowNs(),
      timeUnixNano: nowNs(),
      count: '3',
      bucketCounts: ['1', '1'],
      explicitBounds: [0.1, 0.2],
    };
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'http.server.request.duration',
                  unit: 's',
                  histogram: { aggregationTemporality: 1, dataPoints: [point] },
                },
              ],
            },
          ],
        },
      ],
    };
    const a = await post('/v1/metrics', JSON.stringify(body), json);
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: '1',
        errorMessage: expect.stringMatching(/bucket_counts has 2 entries for 2 explicit_bounds/),
      },
    });
    const neg = tracesJson('partial');
    neg.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.endTimeUnixNano = '1';
    const b = await post('/v1/traces', JSON.stringify(neg), json);
    expect(await b.json()).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    // The same as protobuf: ExportTraceServiceResponse { partial_success (1) { rejected_spans (1), error_message (2) } }.
    const c = await post('/v1/traces', tracesProto('partial', -5), proto);
    expect(c.status).toBe(200);
    const outer = new ProtoReader(new Uint8Array(await c.arrayBuffer()));
    expect(outer.tag()).toBe((1 << 3) | 2);
    const inner = outer.message();
    expect(inner.tag()).toBe(1 << 3);
    expect(inner.varint()).toBe(1);
    expect(inner.tag()).toBe((2 << 3) | 2);
    expect(inner.string()).toMatch(/ends before it starts/);
    expectNothingFrom('partial');
  });

  it('answers 400 with a google.rpc.Status naming the fault, and uses nothing of the request', async () => {
    const a = await post('/v1/traces', '{"resourceSpans": [', json);
    expect(a.status).toBe(400);
    expect(await a.json()).toEqual({
      code: 3,
      message: expect.stringMatching(/^Malformed OTLP\/JSON ExportTraceServiceRequest: not valid JSON/),
    });
    // Valid first resource, broken second: the whole request is refused.
    const body = tracesJson('bad-400');
    (body.resourceSpans as unknown[]).push({ scopeSpans: [{ spans: [{ kind: 'server' }] }] });
    const b = await post('/v1/traces', JSON.stringify(body), json);
    expect(b.status).toBe(400);
    expect(((await b.json()) as { message: string }).message).toMatch(
      /resourceSpans\[1\]\.scopeSpans\[0\]\.spans\[0\]\.kind: expected a number/,
    );
    const good = tracesProto('bad-400', 5);
    const c = await post('/v1/traces', good.subarray(0, good.length - 4), proto);
    expect(c.status).toBe(400);
    expect(c.headers.get('content-type')).toBe('application/x-protobuf');
    const status = new ProtoReader(new Uint8Array(await c.arrayBuffer()));
    expect(status.tag()).toBe(1 << 3);
    expect(status.varint()).toBe(3);
    status.tag();
    expect(status.string()).toMatch(/^Malformed OTLP\/protobuf ExportTraceServiceRequest: Truncated/);
    const d = await post('/v1/traces', Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' });
    expect(d.status).toBe(400);
    expect(((await d.json()) as { message: string }).message).toMatch(/Cannot gunzip the body/);
    expectNothingFrom('bad-400');
  });

  it('answers 413 past the body cap: declared, streamed without a length, or after gunzip', async () => {
    const huge = JSON.stringify(tracesJson('big-413', 400));
    expect(huge.length).toBeGreaterThan(MAX);
    const a = await post('/v1/traces', huge, json);
    expect(a.status).toBe(413);
    expect(((await a.json()) as { message: string }).message).toMatch(
      /exceeds the limit of 32768 bytes: send smaller batches or raise VIBE_AGENT_OTLP_MAX_BODY_BYTES/,
    );
    // Chunked, no Content-Length: caught while streaming.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${base}/v1/traces`,
        { method: 'POST', headers: { ...json, 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < huge.length; i += 4096) req.write(huge.slice(i, i + 4096));
      req.end();
    });
    expect(streamed.status).toBe(413);
    // A gzip bomb: small on the wire, far over the cap once inflated.
    const bomb = zlib.gzipSync(Buffer.from(JSON.stringify({ resourceSpans: [], pad: ' '.repeat(10 * MAX) })));
    expect(bomb.length).toBeLessThan(MAX);
    const c = await post('/v1/traces', bomb, { ...json, 'content-encoding': 'gzip' });
    expect(c.status).toBe(413);
    expect(((await c.json()) as { message: string }).message).toMatch(/Decompressed body exceeds/);
    expectNothingFrom('big-413');
  });

  it('answers 404, 405 and 415 for other paths, methods, media types and encodings', async () => {
    expect((await post('/v1/logs', '{}', json)).status).toBe(404);
    const g = await fetch(`${base}/v1/metrics`);
    expect(g.status).toBe(405);
    const t = await post('/v1/metrics', '{}', { 'content-type': 'text/plain' });
    expect(t.status).toBe(415);
    expect(((await t.json()) as { message: string }).message).toMatch(
      /send application\/json or application\/x-protobuf/,
    );
    expect((await post('/v1/metrics', '{}', { ...json, 'content-encoding': 'br' })).status).toBe(415);
    expect(r.stats.refused).toBeGreaterThanOrEqual(4);
  });

  it('answers 503 with Retry-After past the requests it decodes at once, and serves the waiting ones after', async () => {
    const small = await startOtlpReceiver(
      { enabled: true, host: '127.0.0.1', port: 0, maxBodyBytes: MAX, maxRoutesPerService: 10, maxServices: 10 },
      'h',
      silentLogger,
      2,
    );
    try {
      const body = JSON.stringify(tracesJson('slow'));
      // Two uploads that stay open hold both slots.
      const open = [0, 1].map(() => {
        const req = http.request(`http://127.0.0.1:${small.port}/v1/traces`, {
          method: 'POST',
          headers: { ...json, 'content-length': String(body.length) },
        });
        const done = new Promise<number>((resolve, reject) => {
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', reject);
        });
        req.write(body.slice(0, 10));
        return { req, done };
      });
      await new Promise((r) => setTimeout(r, 200));
      const busy = await fetch(`http://127.0.0.1:${small.port}/v1/traces`, { method: 'POST', headers: json, body });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      for (const o of open) o.req.end(body.slice(10));
      expect(await Promise.all(open.map((o) => o.done))).toEqual([200, 200]);
      const after = await fetch(`http://127.0.0.1:${small.port}/v1/traces`, { method: 'POST', headers: json, body });
      expect(after.status).toBe(200);
      expect(small.aggregator.drain()[0]).toMatchObject({ service: 'slow', requests: 3 });
    } finally {
      await small.close();
    }
  });

  it('fails to start with a clear message when the address is taken', async () => {
    await expect(
      startOtlpReceiver(
        { enabled: true, host: '127.0.0.1', port: r.port, maxBodyBytes: MAX, maxRoutesPerService: 1, maxServices: 1 },
        'h',
        silentLogger,
      ),
    ).rejects.toThrow(/Cannot listen for OTLP on 127\.0\.0\.1:\d+: EADDRINUSE; set VIBE_AGENT_OTLP_ADDRESS/);
  });
});

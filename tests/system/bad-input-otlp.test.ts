/**
 * Generated hostile requests against the agent's OTLP/HTTP receiver: each answered 4xx with a google.rpc.Status
 * message (JSON, or protobuf for protobuf requests), nothing aggregated into app_samples rows, and a valid
 * request still accepted afterwards.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/log.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../agent/src/otlp/receiver.ts';
import { otlpCases, type OtlpCase } from './hostile/otlp-cases.ts';
import { expectRefused } from './hostile/refused.ts';

const MAX_BODY = 64 * 1024;
const cases = otlpCases(MAX_BODY);
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver(
    { enabled: true, host: '127.0.0.1', port: 0, maxBodyBytes: MAX_BODY, maxRoutesPerService: 100, maxServices: 100 },
    '00000000-0000-4000-8000-00000000beef',
    silentLogger,
  );
});
afterAll(async () => {
  await receiver?.close();
});

/** Sends raw bytes with node:http (fetch would refuse some of these paths and methods itself). */
function send(c: OtlpCase): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: receiver.port,
        method: c.method,
        path: c.path,
        headers: { ...c.headers, ...(c.body ? { 'content-length': String(c.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    // A 413 may close the socket before the whole body is written; the answer has arrived by then.
    req.on('error', reject);
    req.end(c.body);
  });
}

/** The message of a google.rpc.Status: the JSON field, or field 2 of the protobuf encoding. */
function statusText(type: string, body: Buffer): string {
  if (!type.includes('protobuf')) return body.toString('utf8');
  let i = 0;
  while (i < body.length) {
    const tag = body[i++]!;
    if (tag === 0x08) {
      while (body[i++]! & 0x80);
    } else if (tag === 0x12) {
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        const b = body[i++]!;
        len |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
      }
      return body.subarray(i, i + len).toString('utf8');
    } else break;
  }
  return '';
}

describe('hostile OTLP payloads', () => {
  it('has at least 50 generated cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s', async (name, c) => {
    const res = await send(c);
    expectRefused(name, res.status, statusText(res.type, res.body));
  });

  it('aggregated nothing from them and still accepts a valid export', async () => {
    expect(receiver.stats.refused).toBe(cases.length);
    expect(receiver.rows()).toEqual([]);
    const ok = await send({
      name: 'valid',
      method: 'POST',
      path: '/v1/metrics',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"resourceMetrics":[]}'),
    });
    expect(ok.status).toBe(200);
  });
});

/** Generated hostile OTLP/HTTP requests: wrong paths, methods and media types, malformed JSON and protobuf, bad gzip, oversize bodies. */
import zlib from 'node:zlib';

/** One raw request to the agent's OTLP receiver. */
export interface OtlpCase {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const json = (text: string) => Buffer.from(text, 'utf8');
const JSON_HEADERS = { 'content-type': 'application/json' };
const PROTO_HEADERS = { 'content-type': 'application/x-protobuf' };

/** A metric point with one field replaced, inside an otherwise valid ExportMetricsServiceRequest. */
function metricWith(point: Record<string, unknown>, metric: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'http.server.request.duration',
                unit: 's',
                histogram: { aggregationTemporality: 2, dataPoints: [point] },
                ...metric,
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Every case for a receiver whose body limit is `maxBody` bytes. */
export function otlpCases(maxBody: number): OtlpCase[] {
  const cases: OtlpCase[] = [];
  for (const path of ['/', '/v1/logs', '/v1/metrics/extra', '/v2/metrics', '/v1/traces/../metrics', '/%00']) {
    cases.push({ name: `unknown path ${path}`, method: 'POST', path, headers: JSON_HEADERS, body: json('{}') });
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    cases.push({
      name: `${method} /v1/metrics`,
      method,
      path: '/v1/metrics',
      headers: JSON_HEADERS,
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: json('{}') }),
    });
  }
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/grpc', '']) {
    cases.push({
      name: `Content-Type "${type}"`,
      method: 'POST',
      path: '/v1/metrics',
      headers: type ? { 'content-type': type } : {},
      body: json('{}'),
    });
  }
  const badJson: [string, string][] = [
    ['truncated', '{"resourceMetrics":['],
    ['not JSON', 'resourceMetrics=1'],
    ['JSON array', '[]'],
    ['JSON string', '"metrics"'],
    ['JSON null', 'null'],
    ['resourceMetrics a number', '{"resourceMetrics":5}'],
    ['resourceMetrics of strings', '{"resourceMetrics":["x"]}'],
    ['scopeMetrics a string', '{"resourceMetrics":[{"scopeMetrics":"x"}]}'],
    ['metrics an object', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":{"a":1}}]}]}'],
    [
      'NaN literal',
      '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asDouble":NaN}]}}]}]}]}',
    ],
    ['deep nesting', `${'['.repeat(20000)}${']'.repeat(20000)}`],
    [
      'timestamp not a number',
      metricWith({ timeUnixNano: 'yesterday', count: '1', sum: 1, bucketCounts: ['1'], explicitBounds: [] }),
    ],
    [
      'count not a number',
      metricWith({ timeUnixNano: '1', count: 'many', sum: 1, bucketCounts: ['1'], explicitBounds: [] }),
    ],
    [
      'bucketCounts an object',
      metricWith({ timeUnixNano: '1', count: '1', sum: 1, bucketCounts: { a: 1 }, explicitBounds: [] }),
    ],
    [
      'attributes a string',
      metricWith({
        timeUnixNano: '1',
        count: '1',
        sum: 1,
        bucketCounts: ['1'],
        explicitBounds: [],
        attributes: 'route=/x',
      }),
    ],
    [
      'attribute value an array',
      metricWith({
        timeUnixNano: '1',
        count: '1',
        sum: 1,
        bucketCounts: ['1'],
        explicitBounds: [],
        attributes: [{ key: 'k', value: [1] }],
      }),
    ],
    ['metric name a number', metricWith({ timeUnixNano: '1' }, { name: 42 })],
  ];
  for (const [name, text] of badJson)
    cases.push({
      name: `metrics JSON: ${name}`,
      method: 'POST',
      path: '/v1/metrics',
      headers: JSON_HEADERS,
      body: json(text),
    });
  const badTraces: [string, string][] = [
    ['resourceSpans a string', '{"resourceSpans":"x"}'],
    ['spans an object', '{"resourceSpans":[{"scopeSpans":[{"spans":{"a":1}}]}]}'],
    [
      'span start not a number',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00","spanId":"00","name":"x","startTimeUnixNano":"soon","endTimeUnixNano":"1"}]}]}]}',
    ],
    ['truncated', '{"resourceSpans":[{'],
  ];
  for (const [name, text] of badTraces)
    cases.push({
      name: `traces JSON: ${name}`,
      method: 'POST',
      path: '/v1/traces',
      headers: JSON_HEADERS,
      body: json(text),
    });
  const badProto: [string, number[]][] = [
    ['truncated varint', [0x08, 0xff]],
    ['length past the end', [0x0a, 0x7f, 0x00]],
    ['unknown wire type 7', [0x0f, 0x00]],
    ['group wire type', [0x0b, 0x0c]],
    ['nested length past the end', [0x0a, 0x03, 0x12, 0x7f, 0x00]],
    ['ten-byte varint overflow', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['field number zero', [0x02, 0x00]],
  ];
  for (const [name, bytes] of badProto) {
    cases.push({
      name: `metrics protobuf: ${name}`,
      method: 'POST',
      path: '/v1/metrics',
      headers: PROTO_HEADERS,
      body: Buffer.from(bytes),
    });
    cases.push({
      name: `traces protobuf: ${name}`,
      method: 'POST',
      path: '/v1/traces',
      headers: PROTO_HEADERS,
      body: Buffer.from(bytes),
    });
  }
  cases.push(
    {
      name: 'gzip header on a plain body',
      method: 'POST',
      path: '/v1/metrics',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: json('{}'),
    },
    {
      name: 'truncated gzip',
      method: 'POST',
      path: '/v1/metrics',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: zlib.gzipSync('{"resourceMetrics":[]}').subarray(0, 12),
    },
    {
      name: 'brotli encoding',
      method: 'POST',
      path: '/v1/metrics',
      headers: { ...JSON_HEADERS, 'content-encoding': 'br' },
      body: zlib.brotliCompressSync('{}'),
    },
    {
      name: 'gzip bomb',
      method: 'POST',
      path: '/v1/metrics',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: zlib.gzipSync(Buffer.alloc(maxBody * 4, 0x20)),
    },
    {
      name: 'body over the limit',
      method: 'POST',
      path: '/v1/metrics',
      headers: JSON_HEADERS,
      body: Buffer.alloc(maxBody + 1, 0x20),
    },
    {
      name: 'gzip of invalid JSON',
      method: 'POST',
      path: '/v1/metrics',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: zlib.gzipSync('{"resourceMetrics":'),
    },
  );
  return cases;
}

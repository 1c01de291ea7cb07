/**
 * The OTLP/HTTP receiver: `POST /v1/metrics` and `POST /v1/traces`, JSON or protobuf, plain or
 * gzip, answered as the OTLP specification says. A request is decoded whole before anything of it
 * is used, so a malformed (400) or oversized (413) payload changes nothing. Every send interval the
 * agent takes the derived rows with `rows()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger } from '../log.ts';
import type { QueuedRow } from '../send/rows.ts';
import { OtlpAggregator, type IngestResult } from './aggregator.ts';
import { decodeMetricsJson, decodeTracesJson, OtlpJsonError } from './decode-json.ts';
import { decodeMetricsProto, decodeTracesProto } from './decode-proto.ts';
import { countDataPoints, countSpans } from './model.ts';
import { ProtobufError } from './protobuf.ts';
import {
  CONTENT_TYPE,
  exportResponse,
  STATUS_CODE,
  statusBody,
  type OtlpEncoding,
  type OtlpSignal,
} from './responses.ts';
import { appSampleRows } from './rows.ts';
import type { OtlpSettings } from './settings.ts';

const gunzip = promisify(zlib.gunzip);

/** Counters since start. */
export interface OtlpStats {
  requests: number;
  /** Requests answered 4xx. */
  refused: number;
  spans: number;
  dataPoints: number;
  rejected: number;
}

/** A listening receiver. */
export interface OtlpReceiver {
  /** Where it listens (the real port when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  readonly stats: OtlpStats;
  readonly aggregator: OtlpAggregator;
  /** The app_samples rows of the interval that ends at `nowMs`, stamped with that time. */
  rows(nowMs?: number): QueuedRow[];
  /** Stops listening (in-flight requests finish) and returns the last interval's rows. */
  close(): Promise<QueuedRow[]>;
}

/** A failure answered with an HTTP status and a google.rpc.Status body. */
class HttpFailure extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  return null;
}

/** Reads the body, refusing (413) past `max` bytes on the wire, then gunzips it, refusing past `max` bytes decompressed. */
async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > max)
    throw new HttpFailure(
      413,
      STATUS_CODE.resourceExhausted,
      `Body of ${declared} bytes exceeds the limit of ${max} bytes: send smaller batches or raise VIBE_AGENT_OTLP_MAX_BODY_BYTES`,
    );
  // Events rather than for-await: leaving an async iterator early destroys the socket before the 413 is sent.
  const { chunks, size } = await new Promise<{ chunks: Buffer[]; size: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > max) return; // refused already: the rest is read and dropped
      size += chunk.length;
      if (size > max) {
        chunks.length = 0;
        reject(
          new HttpFailure(
            413,
            STATUS_CODE.resourceExhausted,
            `Body exceeds the limit of ${max} bytes: send smaller batches or raise VIBE_AGENT_OTLP_MAX_BODY_BYTES`,
          ),
        );
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ chunks, size }));
    req.on('error', reject);
  });
  const raw = Buffer.concat(chunks, size);
  const enc = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (enc === 'identity' || enc === '') return raw;
  if (enc !== 'gzip')
    throw new HttpFailure(
      415,
      STATUS_CODE.unimplemented,
      `Content-Encoding "${enc}" is not supported: send gzip or no encoding`,
    );
  try {
    return await gunzip(raw, { maxOutputLength: max });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new HttpFailure(
        413,
        STATUS_CODE.resourceExhausted,
        `Decompressed body exceeds the limit of ${max} bytes: send smaller batches or raise VIBE_AGENT_OTLP_MAX_BODY_BYTES`,
      );
    }
    throw new HttpFailure(400, STATUS_CODE.invalidArgument, `Cannot gunzip the body: ${(err as Error).message}`);
  }
}

/** Decodes a whole request; any fault is a 400 naming it. */
function decode(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer) {
  const what = signal === 'metrics' ? 'ExportMetricsServiceRequest' : 'ExportTraceServiceRequest';
  try {
    if (encoding === 'protobuf')
      return signal === 'metrics' ? { metrics: decodeMetricsProto(body) } : { traces: decodeTracesProto(body) };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new OtlpJsonError(`not valid JSON (${(err as Error).message})`);
    }
    return signal === 'metrics' ? { metrics: decodeMetricsJson(parsed) } : { traces: decodeTracesJson(parsed) };
  } catch (err) {
    if (err instanceof ProtobufError || err instanceof OtlpJsonError) {
      throw new HttpFailure(
        400,
        STATUS_CODE.invalidArgument,
        `Malformed ${encoding === 'json' ? 'OTLP/JSON' : 'OTLP/protobuf'} ${what}: ${err.message}`,
      );
    }
    throw err;
  }
}

/** Requests decoded at once; more wait for a 503 and retry (each may hold up to maxBodyBytes in memory). */
export const DEFAULT_MAX_IN_FLIGHT = 8;

/** Starts listening on the configured address; fails with a clear message when it cannot. */
export async function startOtlpReceiver(
  settings: OtlpSettings,
  hostId: string,
  log: Logger,
  maxInFlight = DEFAULT_MAX_IN_FLIGHT,
): Promise<OtlpReceiver> {
  const aggregator = new OtlpAggregator({
    maxRoutesPerService: settings.maxRoutesPerService,
    maxServices: settings.maxServices,
  });
  const stats: OtlpStats = { requests: 0, refused: 0, spans: 0, dataPoints: 0, rejected: 0 };

  let inFlight = 0;
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.requests++;
    if (inFlight >= maxInFlight) {
      // OTLP clients retry 503 after Retry-After: a burst waits instead of piling bodies up in memory.
      stats.refused++;
      const body = statusBody('json', 14, `The agent is already decoding ${maxInFlight} OTLP requests; retry shortly`);
      res.writeHead(503, {
        'content-type': CONTENT_TYPE.json,
        'content-length': String(body.length),
        'retry-after': '1',
      });
      res.end(body);
      return;
    }
    inFlight++;
    res.on('close', () => inFlight--);
    const path = (req.url ?? '/').split('?')[0];
    const encoding = encodingOf(req.headers['content-type']);
    const reply = (status: number, enc: OtlpEncoding, body: Uint8Array, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': CONTENT_TYPE[enc], 'content-length': String(body.length), ...extra });
      res.end(body);
    };
    try {
      const signal: OtlpSignal | null = path === '/v1/metrics' ? 'metrics' : path === '/v1/traces' ? 'traces' : null;
      if (!signal)
        throw new HttpFailure(
          404,
          STATUS_CODE.notFound,
          `No OTLP endpoint at ${path}: use /v1/metrics or /v1/traces (logs are not received)`,
        );
      if (req.method !== 'POST')
        throw new HttpFailure(405, STATUS_CODE.unimplemented, `${req.method} is not allowed on ${path}: use POST`);
      if (!encoding) {
        throw new HttpFailure(
          415,
          STATUS_CODE.unimplemented,
          `Content-Type "${req.headers['content-type'] ?? ''}" is not supported: send application/json or application/x-protobuf`,
        );
      }
      const body = await readBody(req, settings.maxBodyBytes);
      const decoded = decode(signal, encoding, body);
      let result: IngestResult;
      if (decoded.metrics) {
        stats.dataPoints += countDataPoints(decoded.metrics);
        result = aggregator.addMetrics(decoded.metrics);
      } else {
        stats.spans += countSpans(decoded.traces!);
        result = aggregator.addSpans(decoded.traces!);
      }
      stats.rejected += result.rejected;
      reply(200, encoding, exportResponse(encoding, signal, result.rejected, result.message));
    } catch (err) {
      if (!(err instanceof HttpFailure)) {
        log.error(`OTLP receiver failed on ${req.method} ${path}: ${(err as Error).stack ?? err}`);
        if (!res.headersSent)
          reply(
            500,
            encoding ?? 'json',
            statusBody(encoding ?? 'json', 13, 'Internal error in the agent; see its log'),
          );
        return;
      }
      stats.refused++;
      if (stats.refused === 1 || stats.refused % 100 === 0)
        log.warn(`OTLP request refused (${err.status}, ${stats.refused} so far): ${err.message}`);
      // Unread body (413 on Content-Length) is drained by Node after the response; close so the sender does not keep streaming.
      reply(
        err.status,
        encoding ?? 'json',
        statusBody(encoding ?? 'json', err.code, err.message),
        err.status === 413 ? { connection: 'close' } : {},
      );
    }
  };

  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `Cannot listen for OTLP on ${settings.host}:${settings.port}: ${err.code ?? err.message}; set VIBE_AGENT_OTLP_ADDRESS to a free address or turn the receiver off (VIBE_AGENT_OTLP=0)`,
        ),
      );
    server.once('error', onError);
    server.listen(settings.port, settings.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  log.info(`OTLP/HTTP receiver listening on ${settings.host}:${addr.port} (/v1/metrics, /v1/traces; JSON or protobuf)`);

  const rows = (nowMs = Date.now()) => appSampleRows(hostId, new Date(nowMs).toISOString(), aggregator.drain(nowMs));
  return {
    host: settings.host,
    port: addr.port,
    stats,
    aggregator,
    rows,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return rows();
    },
  };
}

/**
 * OTLP/HTTP response bodies, in the encoding of the request: an empty Export*ServiceResponse on
 * success, one with partial_success when some points or spans were rejected, and a google.rpc.Status
 * for failures (code 3, INVALID_ARGUMENT, for bad data).
 */
import { ProtoWriter } from './protobuf.ts';

/** The body encodings OTLP/HTTP defines. */
export type OtlpEncoding = 'json' | 'protobuf';

/** The signals the receiver accepts. */
export type OtlpSignal = 'metrics' | 'traces';

/** Content-Type of an encoding. */
export const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

/** ExportMetricsServiceResponse or ExportTraceServiceResponse; partial_success only when something was rejected. */
export function exportResponse(
  encoding: OtlpEncoding,
  signal: OtlpSignal,
  rejected: number,
  message: string | null,
): Uint8Array {
  if (encoding === 'json') {
    const key = signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedSpans';
    // int64 fields are decimal strings in the proto3 JSON mapping.
    const body = rejected > 0 ? { partialSuccess: { [key]: String(rejected), errorMessage: message ?? '' } } : {};
    return new TextEncoder().encode(JSON.stringify(body));
  }
  if (rejected === 0) return new Uint8Array(0);
  const partial = new ProtoWriter()
    .uint(1, rejected)
    .string(2, message ?? '')
    .finish();
  return new ProtoWriter().bytes(1, partial).finish();
}

/** gRPC status codes used in failure bodies. */
export const STATUS_CODE = { invalidArgument: 3, notFound: 5, resourceExhausted: 8, unimplemented: 12 } as const;

/** A google.rpc.Status body (1 code, 2 message). */
export function statusBody(encoding: OtlpEncoding, code: number, message: string): Uint8Array {
  if (encoding === 'json') return new TextEncoder().encode(JSON.stringify({ code, message }));
  return new ProtoWriter().uint(1, code).string(2, message).finish();
}

/** Request arguments to bytes and Redis replies to Upstash's JSON values (plain or `Upstash-Encoding: base64`). */
import { ReplyError, type Reply } from './resp.ts';

/** Thrown for a request body that is not a command Upstash would accept; answered with 400. */
export class BadCommandError extends Error {}

/** Converts one JSON command array (`["set","k","v","ex",60]`) to bytes. */
export function commandFromJson(value: unknown, where = 'the command'): Buffer[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadCommandError(`ERR ${where} must be a non-empty JSON array like ["SET","key","value"]`);
  }
  return value.map((arg: unknown, i) => {
    if (typeof arg === 'string') return Buffer.from(arg, 'utf8');
    if (typeof arg === 'number' || typeof arg === 'boolean') return Buffer.from(String(arg));
    throw new BadCommandError(
      `ERR argument ${i + 1} of ${where} must be a string or a number, got ${arg === null ? 'null' : typeof arg}: JSON-encode objects first`,
    );
  });
}

/** Decodes a URL path segment's %XX escapes to raw bytes, so binary keys and values survive path-style commands. */
export function percentDecode(segment: string): Buffer {
  if (!segment.includes('%')) return Buffer.from(segment, 'utf8');
  const bytes: number[] = [];
  const raw = Buffer.from(segment, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const hex = raw[i] === 0x25 && i + 2 < raw.length ? raw.toString('latin1', i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes);
}

type JsonValue = null | number | string | JsonValue[] | object;

// JSON.rawJSON (Node 21+) lets integers beyond 2^53 reach the client digit for digit.
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => object }).rawJSON;

/**
 * Upstash's JSON for a reply. In base64 mode every string is base64 of its raw bytes except a top-level "OK"
 * status (the SDK passes that one through undecoded); numbers and nulls stay as they are. Without base64, bulk
 * strings are read as UTF-8 (invalid bytes become U+FFFD, as Upstash documents).
 */
export function replyToJson(reply: Reply, base64: boolean, top = true): JsonValue {
  if (reply === null || typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return rawJSON ? rawJSON(reply.toString()) : Number(reply);
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8');
  if (typeof reply === 'string')
    return !base64 || (top && reply === 'OK') ? reply : Buffer.from(reply).toString('base64');
  if (reply instanceof ReplyError) return base64 ? Buffer.from(reply.message).toString('base64') : reply.message;
  return reply.map((r) => replyToJson(r, base64, false));
}

/** One entry of a /pipeline or /multi-exec answer: `{result}` or `{error}` (errors are never base64-encoded). */
export function entryToJson(reply: Reply, base64: boolean): { result: JsonValue } | { error: string } {
  return reply instanceof ReplyError ? { error: reply.message } : { result: replyToJson(reply, base64) };
}

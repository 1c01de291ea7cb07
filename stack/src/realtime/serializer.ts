/** Phoenix wire frames: vsn 1.0.0 JSON objects, vsn 2.0.0 JSON arrays and the binary user-broadcast frames. */

/** A decoded Phoenix message, as either serializer carries it. */
export interface PhxMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A client broadcast sent as a binary kind-3 frame: the payload stays encoded so it is relayed byte for byte. */
export interface UserBroadcastPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  encoding: 'json' | 'binary';
  payload: Buffer;
  metadata: Record<string, unknown>;
}

export type Vsn = '1.0.0' | '2.0.0';

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;

/** Decodes a text frame; throws on anything that is not a Phoenix message of the socket's version. */
export function decodeText(vsn: Vsn, text: string): PhxMessage {
  const raw: unknown = JSON.parse(text);
  if (vsn === '2.0.0') {
    if (!Array.isArray(raw) || raw.length < 5)
      throw new Error('expected V2 array [join_ref, ref, topic, event, payload]');
    const [joinRef, ref, topic, event, payload] = raw as unknown[];
    if (typeof topic !== 'string' || typeof event !== 'string') throw new Error('topic and event must be strings');
    return { joinRef: refOrNull(joinRef), ref: refOrNull(ref), topic, event, payload };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('expected V1 object {topic, event, payload, ref}');
  const o = raw as Record<string, unknown>;
  if (typeof o.topic !== 'string' || typeof o.event !== 'string') throw new Error('topic and event must be strings');
  return { joinRef: refOrNull(o.join_ref), ref: refOrNull(o.ref), topic: o.topic, event: o.event, payload: o.payload };
}

function refOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

/** Decodes a binary kind-3 USER_BROADCAST_PUSH frame (the only kind realtime-js sends). */
export function decodeBinary(buf: Buffer): UserBroadcastPush {
  if (buf.length < 7 || buf[0] !== KIND_USER_BROADCAST_PUSH) throw new Error(`unsupported binary frame kind ${buf[0]}`);
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [
    buf[1]!,
    buf[2]!,
    buf[3]!,
    buf[4]!,
    buf[5]!,
    buf[6]!,
  ];
  let offset = 7;
  const take = (n: number) => {
    if (offset + n > buf.length) throw new Error('binary frame shorter than its header says');
    const s = buf.subarray(offset, offset + n);
    offset += n;
    return s;
  };
  const joinRef = take(joinRefLen).toString('utf8');
  const ref = take(refLen).toString('utf8');
  const topic = take(topicLen).toString('utf8');
  const event = take(eventLen).toString('utf8');
  const meta = take(metaLen).toString('utf8');
  const payload = Buffer.from(buf.subarray(offset));
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event,
    encoding: encoding === 0 ? 'binary' : 'json',
    payload,
    metadata: meta ? (JSON.parse(meta) as Record<string, unknown>) : {},
  };
}

/** Encodes a message as a text frame for the socket's version. */
export function encodeText(vsn: Vsn, m: PhxMessage): string {
  if (vsn === '2.0.0') return JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
  return JSON.stringify({ topic: m.topic, event: m.event, payload: m.payload, ref: m.ref, join_ref: m.joinRef });
}

/** Encodes a server→client kind-4 USER_BROADCAST frame. */
export function encodeUserBroadcast(
  topic: string,
  event: string,
  encoding: 'json' | 'binary',
  payload: Buffer,
  metadata?: Record<string, unknown>,
): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const e = Buffer.from(event, 'utf8');
  const m = metadata ? Buffer.from(JSON.stringify(metadata), 'utf8') : Buffer.alloc(0);
  if (t.length > 255 || e.length > 255 || m.length > 255)
    throw new Error('topic, event and metadata must each be at most 255 bytes');
  const header = Buffer.from([KIND_USER_BROADCAST, t.length, e.length, m.length, encoding === 'json' ? 1 : 0]);
  return Buffer.concat([header, t, e, m, payload]);
}

/** One Realtime WebSocket: decodes frames, answers heartbeats, and routes messages to its channels by topic. */
import type pg from 'pg';
import type { WebSocket } from 'ws';
import type { Keys } from '../keys.ts';
import type { AuthorizationPool } from './authorization-pool.ts';
import type { PostgresChanges } from './cdc/changes.ts';
import { Channel } from './channel.ts';
import type { ChannelSocket } from './channel-socket.ts';
import type { Hub } from './hub.ts';
import { PerSecond, type RealtimeLimits } from './limits.ts';
import { decodeBinary, decodeText, encodeText, type PhxMessage, type Vsn } from './serializer.ts';

/** What every socket shares. */
export interface SocketDeps {
  pool: pg.Pool;
  keys: Keys;
  hub: Hub;
  changes: PostgresChanges;
  /** Private-channel authorization runs here, never on `pool`. */
  authz: AuthorizationPool;
  limits: RealtimeLimits;
  /** Joins of all sockets in the current second. */
  overallJoins: PerSecond;
}

/** Hosted's join replies when a limit is reached (realtime_channel.ex). */
export const TOO_MANY_JOINS = 'ClientJoinRateLimitReached: Too many joins per second';
export const TOO_MANY_CHANNELS = 'ChannelRateLimitReached: Too many channels';

export class RealtimeSocket implements ChannelSocket {
  readonly vsn: Vsn;
  /** The socket's apikey (a verified JWT); channels without their own access_token use it. */
  readonly token: string;
  /** Upgrade request headers, passed to policies as `request.headers`. */
  readonly headers: Record<string, string>;
  readonly pool: pg.Pool;
  readonly keys: Keys;
  readonly hub: Hub;
  readonly changes: PostgresChanges;
  readonly authz: AuthorizationPool;
  private readonly limits: RealtimeLimits;
  private readonly joins = new PerSecond();
  private readonly overallJoins: PerSecond;
  private readonly ws: WebSocket;
  private readonly channels = new Map<string, Channel>();
  private closed = false;
  /** When the client last sent anything (heartbeats arrive every 25 s). */
  lastSeen = Date.now();

  constructor(ws: WebSocket, vsn: Vsn, token: string, headers: Record<string, string>, deps: SocketDeps) {
    this.ws = ws;
    this.vsn = vsn;
    this.token = token;
    this.headers = headers;
    this.pool = deps.pool;
    this.keys = deps.keys;
    this.hub = deps.hub;
    this.changes = deps.changes;
    this.authz = deps.authz;
    this.limits = deps.limits;
    this.overallJoins = deps.overallJoins;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) =>
      this.onFrame(toBuffer(data), isBinary),
    );
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
  }

  /** Sends an already encoded frame (shared between subscribers by the hub). */
  sendFrame(frame: string | Buffer): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  push(m: PhxMessage): void {
    this.sendFrame(encodeText(this.vsn, m));
  }

  /** Drops a channel from the topic table if it is still the current one. */
  forget(ch: Channel): void {
    if (this.channels.get(ch.joinTopic) === ch) this.channels.delete(ch.joinTopic);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closed) return; // frames still in flight after a server-side close
    this.lastSeen = Date.now();
    if (isBinary) {
      let push;
      try {
        push = decodeBinary(data);
      } catch (err) {
        process.stderr.write(`[realtime] dropped a binary frame: ${(err as Error).message}\n`);
        return;
      }
      const ch = this.channels.get(push.topic);
      if (!ch) return this.unmatched(push.joinRef, push.ref, push.topic);
      ch.enqueue(() => ch.handleUserBroadcast(push));
      return;
    }
    let msg: PhxMessage;
    try {
      msg = decodeText(this.vsn, data.toString('utf8'));
    } catch (err) {
      process.stderr.write(
        `[realtime] dropped a frame that is not a vsn ${this.vsn} Phoenix message: ${(err as Error).message}\n`,
      );
      return;
    }
    if (msg.topic === 'phoenix' && msg.event === 'heartbeat') {
      this.push({
        joinRef: null,
        ref: msg.ref,
        topic: 'phoenix',
        event: 'phx_reply',
        payload: { status: 'ok', response: {} },
      });
      return;
    }
    if (msg.event === 'phx_join') return this.join(msg);
    const ch = this.channels.get(msg.topic);
    if (!ch) return this.unmatched(msg.joinRef, msg.ref, msg.topic);
    ch.enqueue(() => ch.handle(msg));
  }

  private join(msg: PhxMessage): void {
    if (!msg.topic.startsWith('realtime:')) return this.unmatched(msg.joinRef, msg.ref, msg.topic);
    // hosted checks joins per second before channels per client; both answer at once, without touching the database
    if (
      !this.joins.take(this.limits.maxJoinsPerSecond) ||
      !this.overallJoins.take(this.limits.maxJoinsPerSecondOverall)
    ) {
      // hosted also disconnects the socket, so a flooding client has to reconnect (and pass the socket limits again);
      // the connection is dropped once the reply is out, so frames the client already sent are never parsed
      this.onClose();
      const reply = encodeText(this.vsn, {
        joinRef: msg.joinRef ?? msg.ref,
        ref: msg.ref,
        topic: msg.topic,
        event: 'phx_reply',
        payload: { status: 'error', response: { reason: TOO_MANY_JOINS } },
      });
      this.ws.send(reply, () => this.ws.terminate());
      return;
    }
    if (!this.channels.has(msg.topic) && this.channels.size >= this.limits.maxChannelsPerClient)
      return this.refuseJoin(msg, TOO_MANY_CHANNELS);
    // a second join of the same topic replaces the first, as Phoenix does
    const existing = this.channels.get(msg.topic);
    if (existing) {
      this.push({ joinRef: existing.joinRef, ref: null, topic: msg.topic, event: 'phx_close', payload: {} });
      existing.close();
    }
    const ch = new Channel(this, msg.topic, msg.joinRef ?? msg.ref);
    this.channels.set(msg.topic, ch);
    ch.enqueue(() => ch.join(msg.ref, msg.payload));
  }

  private refuseJoin(msg: PhxMessage, reason: string): void {
    this.push({
      joinRef: msg.joinRef ?? msg.ref,
      ref: msg.ref,
      topic: msg.topic,
      event: 'phx_reply',
      payload: { status: 'error', response: { reason } },
    });
  }

  private unmatched(joinRef: string | null, ref: string | null, topic: string): void {
    this.push({
      joinRef,
      ref,
      topic,
      event: 'phx_reply',
      payload: { status: 'error', response: { reason: 'unmatched topic' } },
    });
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ch of [...this.channels.values()]) ch.close();
    this.channels.clear();
  }

  /** Closes the connection (server stopping). */
  close(code = 1001, reason = 'server shutting down'): void {
    this.onClose();
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** One joined topic on one socket: join, broadcast, presence, access_token and leave, as RealtimeChannel does hosted. */
import { randomUUID } from 'node:crypto';
import { AUTHORIZATION_BUSY_REASON, AuthorizationBusyError } from './authorization-pool.ts';
import {
  authorizeRead,
  authorizeWrite,
  emptyPolicies,
  type AuthContext,
  type Extension,
  type Policies,
} from './authorization.ts';
import type { ChangesChannel } from './cdc/changes.ts';
import { bindingId } from './cdc/changes.ts';
import type { ChannelSocket } from './channel-socket.ts';
import { topicKey, type Subscriber } from './hub.ts';
import { loadReplay, replayOption } from './replay.ts';
import { encodeUserBroadcast, type PhxMessage, type UserBroadcastPush, type Vsn } from './serializer.ts';
import { TokenError, verifyRealtimeToken, type RealtimeClaims } from './token.ts';

/**
 * Hosted Realtime sleeps CHANNEL_ERROR_BACKOFF_MS (5 s) before a join error to slow down retry storms of many
 * clients. One local developer has no storm to damp, so a short pause keeps the shape (the error never arrives
 * instantly) without a 5 s wait on every refused join; realtime-js waits 10 s for a join reply.
 */
export const JOIN_ERROR_BACKOFF_MS = 200;

const flag = (v: unknown) => v === true || v === 'true';
let nextId = 1;

type JoinConfig = {
  broadcast?: { self?: unknown; ack?: unknown; replay?: unknown };
  presence?: { key?: unknown; enabled?: unknown };
  postgres_changes?: Record<string, unknown>[];
  private?: unknown;
  postgres_changes_options?: { wait?: unknown };
};

export class Channel implements Subscriber, ChangesChannel {
  readonly id = nextId++;
  readonly vsn: Vsn;
  readonly joinTopic: string;
  readonly subTopic: string;
  readonly joinRef: string | null;
  private readonly socket: ChannelSocket;
  private state: 'joining' | 'joined' | 'closed' = 'joining';
  private isPrivate = false;
  private selfBroadcast = false;
  private ack = false;
  private presenceKey = '';
  private presenceEnabled = false;
  private accessToken = '';
  private claims: RealtimeClaims | null = null;
  private policies: Policies | null = null;
  private hasChanges = false;
  private expiryTimer: NodeJS.Timeout | null = null;
  private tracked = false;
  private replayed = new Set<string>();
  /** Messages of one channel are handled in order, even when a step waits for the database. */
  private queue: Promise<void> = Promise.resolve();

  constructor(socket: ChannelSocket, joinTopic: string, joinRef: string | null) {
    this.socket = socket;
    this.vsn = socket.vsn;
    this.joinTopic = joinTopic;
    this.subTopic = joinTopic.slice('realtime:'.length);
    this.joinRef = joinRef;
  }

  private get key(): string {
    return topicKey(this.isPrivate, this.subTopic);
  }

  canReadBroadcast(): boolean {
    return this.state === 'joined' && (!this.isPrivate || this.policies?.broadcast.read === true);
  }

  wasReplayed(id: string): boolean {
    return this.replayed.has(id);
  }

  canReadPresence(): boolean {
    return this.state === 'joined' && (!this.isPrivate || this.policies?.presence.read === true);
  }

  send(frame: string | Buffer): void {
    if (this.state !== 'closed') this.socket.sendFrame(frame);
  }

  /** Runs a step after the ones before it; errors are logged, never thrown into the socket. */
  enqueue(step: () => Promise<void> | void): void {
    this.queue = this.queue.then(step).catch((err: Error) => {
      process.stderr.write(`[realtime] ${this.joinTopic}: ${err.stack ?? err.message}\n`);
    });
  }

  private push(event: string, payload: unknown): void {
    this.socket.push({ joinRef: this.joinRef, ref: null, topic: this.joinTopic, event, payload });
  }

  private reply(ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.socket.push({
      joinRef: this.joinRef,
      ref,
      topic: this.joinTopic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  private authContext(): AuthContext {
    return { topic: this.subTopic, claims: this.claims!, headers: this.socket.headers };
  }

  async join(ref: string | null, payload: unknown): Promise<void> {
    const p = (payload && typeof payload === 'object' ? payload : {}) as {
      config?: JoinConfig;
      access_token?: unknown;
      user_token?: unknown;
    };
    const config: JoinConfig = p.config && typeof p.config === 'object' ? p.config : {};
    this.isPrivate = flag(config.private);
    this.selfBroadcast = flag(config.broadcast?.self);
    this.ack = flag(config.broadcast?.ack);
    const key = config.presence?.key;
    this.presenceKey = key === undefined || key === null || key === '' ? randomUUID() : String(key);
    this.presenceEnabled = flag(config.presence?.enabled);
    const given =
      typeof p.user_token === 'string' ? p.user_token : typeof p.access_token === 'string' ? p.access_token : null;
    // sb_… keys are not JWTs: the socket's own (translated) apikey stands in, as hosted does
    this.accessToken = given && !given.startsWith('sb_') ? given : this.socket.token;
    const fail = async (reason: string) => {
      await new Promise((r) => setTimeout(r, JOIN_ERROR_BACKOFF_MS));
      this.state = 'closed';
      this.socket.forget(this);
      this.reply(ref, 'error', { reason });
    };
    if (this.subTopic === '') return fail('TopicNameRequired: You must provide a topic name');
    try {
      this.claims = await verifyRealtimeToken(this.socket.keys, this.accessToken);
    } catch (err) {
      return fail(err instanceof TokenError ? err.joinReason : `UnknownErrorOnChannel: ${(err as Error).message}`);
    }
    if (this.isPrivate) {
      const exts: Extension[] = this.presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
      try {
        this.policies = await authorizeRead(this.socket.authz, this.authContext(), emptyPolicies(), exts);
      } catch (err) {
        if (err instanceof AuthorizationBusyError) return fail(AUTHORIZATION_BUSY_REASON);
        throw err;
      }
      if (!this.policies.broadcast.read && !this.policies.presence.read) {
        return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`);
      }
    }
    const replay = replayOption(config);
    if (typeof replay === 'string') return fail(`UnableToReplayMessages: ${replay}`);
    if (replay && !this.isPrivate) return fail('UnableToReplayMessages: Replay is not allowed for public channels');
    if (replay && !this.policies!.broadcast.read)
      return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`);
    const stored = replay ? await loadReplay(this.socket.pool, this.subTopic, replay.since, replay.limit) : [];
    this.replayed = new Set(stored.map((m) => m.id));
    const bindings = Array.isArray(config.postgres_changes)
      ? config.postgres_changes.filter((b) => b && typeof b === 'object')
      : [];
    const pgReply = bindings.map((b) => ({ ...b, id: bindingId(b) }));
    this.hasChanges = bindings.length > 0;
    const wait = this.hasChanges && flag(config.postgres_changes_options?.wait);
    if (wait) {
      const error = await this.socket.changes.subscribe(this, bindings, this.claims);
      if (error) return fail(`RealtimeDisabledForConfiguration: ${error}`);
    }
    if (this.state === 'closed') return;
    this.state = 'joined';
    this.socket.hub.subscribe(this.key, this);
    this.scheduleExpiry();
    this.reply(ref, 'ok', { postgres_changes: pgReply });
    if (this.presenceEnabled && this.canReadPresence())
      this.push('presence_state', this.socket.hub.presenceOf(this.key).state());
    for (const m of stored) {
      if (m.encoding === 'json')
        this.push('broadcast', {
          payload: JSON.parse(m.payload.toString('utf8')),
          event: m.event,
          type: 'broadcast',
          meta: m.meta,
        });
      else if (this.vsn === '2.0.0')
        this.send(encodeUserBroadcast(this.joinTopic, m.event, 'binary', m.payload, m.meta));
    }
    if (!this.hasChanges) return;
    const error = wait ? null : await this.socket.changes.subscribe(this, bindings, this.claims);
    if (this.state !== 'joined') {
      this.socket.changes.unsubscribe(this); // left while subscribing
      return;
    }
    this.push('system', {
      extension: 'postgres_changes',
      status: error ? 'error' : 'ok',
      message: error ?? 'Subscribed to PostgreSQL',
      channel: this.subTopic,
    });
  }

  /** Expired tokens end the channel, as hosted's periodic confirm_token does. */
  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const ms = this.claims!.exp * 1000 - Date.now() + 10;
    // setTimeout cannot wait longer than ~24.8 days; re-arm if needed
    this.expiryTimer = setTimeout(
      () => this.enqueue(() => (Date.now() >= this.claims!.exp * 1000 ? this.onExpired() : this.scheduleExpiry())),
      Math.min(ms, 2 ** 31 - 1),
    );
    this.expiryTimer.unref();
  }

  private async onExpired(): Promise<void> {
    try {
      await verifyRealtimeToken(this.socket.keys, this.accessToken);
      this.scheduleExpiry();
    } catch (err) {
      this.shutdown(err instanceof TokenError ? err.detail : (err as Error).message);
    }
  }

  /** A frame for this channel after the join. */
  async handle(msg: PhxMessage): Promise<void> {
    if (this.state !== 'joined') return;
    switch (msg.event) {
      case 'phx_leave':
        this.reply(msg.ref, 'ok', {});
        this.close();
        return;
      case 'broadcast':
        return this.onBroadcast(msg.ref, msg.payload);
      case 'presence':
        return this.onPresence(msg.ref, msg.payload);
      case 'access_token':
        return this.onAccessToken(msg.payload);
      default:
        return; // hosted ignores unexpected events
    }
  }

  /** A kind-3 binary broadcast push. */
  async handleUserBroadcast(push: UserBroadcastPush): Promise<void> {
    if (this.state !== 'joined') return;
    if (!(await this.mayWriteBroadcast())) return;
    this.socket.hub.broadcastUser(
      this.key,
      this.subTopic,
      { event: push.event, encoding: push.encoding, payload: push.payload },
      this.selfBroadcast ? null : this,
    );
    if (this.ack) this.reply(push.ref, 'ok', {});
  }

  private async onBroadcast(ref: string | null, payload: unknown): Promise<void> {
    if (!payload || typeof payload !== 'object') return;
    if (!(await this.mayWriteBroadcast())) return;
    this.socket.hub.broadcastJson(
      this.key,
      this.subTopic,
      payload as Record<string, unknown>,
      this.selfBroadcast ? null : this,
    );
    if (this.ack) this.reply(ref, 'ok', {});
  }

  /** Public channels may always send; private ones check write once, at the first send, and keep the answer. */
  private async mayWriteBroadcast(): Promise<boolean> {
    if (!this.isPrivate) return true;
    if (this.policies!.broadcast.write === null) {
      try {
        this.policies = await authorizeWrite(this.socket.authz, this.authContext(), this.policies!);
      } catch (err) {
        // no connection for the check now: this message is dropped, the next send checks again
        if (err instanceof AuthorizationBusyError) return false;
        throw err;
      }
    }
    return this.policies!.broadcast.write === true;
  }

  private async onPresence(ref: string | null, payload: unknown): Promise<void> {
    const p = (payload ?? {}) as { event?: unknown; payload?: unknown };
    const event = typeof p.event === 'string' ? p.event.toLowerCase() : '';
    if (event === 'track') {
      const meta = p.payload === undefined ? {} : p.payload;
      if (!meta || typeof meta !== 'object' || Array.isArray(meta))
        return this.reply(ref, 'error', { reason: 'Presence track payload must be a map' });
      if (this.isPrivate) {
        try {
          if (this.policies!.presence.read === null) {
            this.policies = await authorizeRead(this.socket.authz, this.authContext(), this.policies!, ['presence']);
          }
          if (this.policies!.presence.write === null)
            this.policies = await authorizeWrite(this.socket.authz, this.authContext(), this.policies!);
        } catch (err) {
          if (err instanceof AuthorizationBusyError)
            return this.reply(ref, 'error', { reason: AUTHORIZATION_BUSY_REASON });
          throw err;
        }
        if (!this.policies!.presence.write) return this.reply(ref, 'error', {});
      }
      this.presenceEnabled = true;
      const diff = this.socket.hub
        .presenceOf(this.key)
        .track(this.id, this.presenceKey, meta as Record<string, unknown>);
      this.tracked = true;
      this.socket.hub.presenceDiff(this.key, this.subTopic, diff);
      return this.reply(ref, 'ok', {});
    }
    if (event === 'untrack') {
      this.untrack();
      return this.reply(ref, 'ok', {});
    }
    this.reply(ref, 'error', {});
  }

  private untrack(): void {
    if (!this.tracked) return;
    this.tracked = false;
    const diff = this.socket.hub.presenceOf(this.key).untrack(this.id);
    this.socket.hub.releasePresence(this.key);
    if (diff) this.socket.hub.presenceDiff(this.key, this.subTopic, diff);
  }

  private async onAccessToken(payload: unknown): Promise<void> {
    const token = (payload as { access_token?: unknown } | null)?.access_token;
    if (typeof token !== 'string' || token.startsWith('sb_') || token === this.accessToken) return;
    this.accessToken = token;
    const previous = this.policies;
    try {
      this.claims = await verifyRealtimeToken(this.socket.keys, token);
    } catch (err) {
      return this.shutdown(err instanceof TokenError ? err.detail : (err as Error).message);
    }
    if (this.isPrivate) {
      const exts: Extension[] = this.presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
      try {
        this.policies = await authorizeRead(this.socket.authz, this.authContext(), emptyPolicies(), exts);
      } catch (err) {
        // the new token cannot be checked now; keeping the old answer could miss a revocation, so the channel ends
        if (err instanceof AuthorizationBusyError) return this.shutdown(AUTHORIZATION_BUSY_REASON);
        throw err;
      }
      const revoked = (a: boolean | null | undefined, b: boolean | null) => a === true && b === false;
      if (
        revoked(previous?.broadcast.read, this.policies.broadcast.read) ||
        revoked(previous?.presence.read, this.policies.presence.read)
      ) {
        return this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
      }
    }
    if (this.hasChanges) this.socket.changes.updateClaims(this, this.claims);
    this.scheduleExpiry();
  }

  /** Ends the channel from the server side: a system error, then phx_close. */
  shutdown(message: string): void {
    if (this.state === 'closed') return;
    this.push('system', { extension: 'system', status: 'error', message, channel: this.subTopic });
    this.push('phx_close', {});
    this.close();
  }

  /** Releases everything the channel holds (leave, socket closed, rejoin). */
  close(): void {
    if (this.state === 'closed') return;
    const wasJoined = this.state === 'joined';
    this.untrack();
    this.state = 'closed';
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (wasJoined) this.socket.hub.unsubscribe(this.key, this);
    if (this.hasChanges) this.socket.changes.unsubscribe(this);
    this.socket.forget(this);
  }
}

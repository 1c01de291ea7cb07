/** Topic fan-out: who is joined where, and delivery of broadcasts and presence diffs with one encoding per frame format. */
import { TopicPresence, type PresenceDiff } from './presence.ts';
import { encodeText, encodeUserBroadcast, type Vsn } from './serializer.ts';

/** A joined channel as the hub sees it. */
export interface Subscriber {
  readonly id: number;
  readonly vsn: Vsn;
  /** `realtime:<sub-topic>` as the client joined it. */
  readonly joinTopic: string;
  /** Whether this subscriber may receive broadcasts (public, or private with read permission). */
  canReadBroadcast(): boolean;
  /** Whether a stored message was already sent to this subscriber by a replay at join. */
  wasReplayed(id: string): boolean;
  /** Whether this subscriber may receive presence diffs. */
  canReadPresence(): boolean;
  send(frame: string | Buffer): void;
}

/** A broadcast whose payload stays encoded (client binary pushes, database rows). */
export interface UserBroadcast {
  event: string;
  encoding: 'json' | 'binary';
  payload: Buffer;
  meta?: Record<string, unknown>;
}

/** Public and private topics of the same name are separate, as hosted keeps them. */
export function topicKey(isPrivate: boolean, subTopic: string): string {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

/** The in-process pub/sub every channel joins. */
export class Hub {
  private readonly topics = new Map<string, Set<Subscriber>>();
  private readonly presence = new Map<string, TopicPresence>();

  subscribe(key: string, sub: Subscriber): void {
    let set = this.topics.get(key);
    if (!set) this.topics.set(key, (set = new Set()));
    set.add(sub);
  }

  unsubscribe(key: string, sub: Subscriber): void {
    const set = this.topics.get(key);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.topics.delete(key);
  }

  subscriberCount(key: string): number {
    return this.topics.get(key)?.size ?? 0;
  }

  /** Relays a user broadcast: binary kind 4 to vsn 2 sockets, JSON to vsn 1 (binary payloads cannot reach vsn 1). */
  broadcastUser(key: string, subTopic: string, msg: UserBroadcast, except: Subscriber | null): number {
    const joinTopic = `realtime:${subTopic}`;
    let v2: Buffer | undefined;
    let v1: string | null | undefined;
    const id = typeof msg.meta?.id === 'string' ? msg.meta.id : null;
    return this.fanOut(
      key,
      except,
      (s) => s.canReadBroadcast() && !(id && s.wasReplayed(id)),
      (s) => {
        if (s.vsn === '2.0.0')
          return (v2 ??= encodeUserBroadcast(joinTopic, msg.event, msg.encoding, msg.payload, msg.meta));
        if (v1 === undefined) {
          v1 =
            msg.encoding === 'json'
              ? encodeText('1.0.0', {
                  joinRef: null,
                  ref: null,
                  topic: joinTopic,
                  event: 'broadcast',
                  payload: {
                    event: msg.event,
                    payload: JSON.parse(msg.payload.toString('utf8')),
                    type: 'broadcast',
                    ...(msg.meta ? { meta: msg.meta } : {}),
                  },
                })
              : null;
        }
        return v1;
      },
    );
  }

  /** Relays a JSON broadcast (text-frame pushes, the HTTP API) as a text frame. */
  broadcastJson(key: string, subTopic: string, payload: Record<string, unknown>, except: Subscriber | null): number {
    return this.fanOutText(key, subTopic, 'broadcast', payload, except, (s) => s.canReadBroadcast());
  }

  presenceOf(key: string): TopicPresence {
    let p = this.presence.get(key);
    if (!p) this.presence.set(key, (p = new TopicPresence()));
    return p;
  }

  /** Drops a topic's presence bookkeeping once nobody is tracked. */
  releasePresence(key: string): void {
    if (this.presence.get(key)?.size === 0) this.presence.delete(key);
  }

  /** Sends a presence diff to every subscriber allowed to read presence, the tracker included (as Phoenix does). */
  presenceDiff(key: string, subTopic: string, diff: PresenceDiff): void {
    this.fanOutText(key, subTopic, 'presence_diff', diff, null, (s) => s.canReadPresence());
  }

  private fanOutText(
    key: string,
    subTopic: string,
    event: string,
    payload: unknown,
    except: Subscriber | null,
    allowed: (s: Subscriber) => boolean,
  ): number {
    const topic = `realtime:${subTopic}`;
    const cache: Partial<Record<Vsn, string>> = {};
    return this.fanOut(
      key,
      except,
      allowed,
      (s) => (cache[s.vsn] ??= encodeText(s.vsn, { joinRef: null, ref: null, topic, event, payload })),
    );
  }

  private fanOut(
    key: string,
    except: Subscriber | null,
    allowed: (s: Subscriber) => boolean,
    frame: (s: Subscriber) => string | Buffer | null,
  ): number {
    const set = this.topics.get(key);
    if (!set) return 0;
    let n = 0;
    for (const s of set) {
      if (s === except || !allowed(s)) continue;
      const f = frame(s);
      if (f === null) continue;
      s.send(f);
      n++;
    }
    return n;
  }
}

/** What a channel uses of the socket it lives on; apart from socket.ts so channel.ts and socket.ts need not import each other. */
import type pg from 'pg';
import type { Keys } from '../keys.ts';
import type { AuthorizationPool } from './authorization-pool.ts';
import type { PostgresChanges } from './cdc/changes.ts';
import type { Hub } from './hub.ts';
import type { PhxMessage, Vsn } from './serializer.ts';

/** The socket as its channels see it: shared services, its credentials, and where frames go. */
export interface ChannelSocket {
  readonly vsn: Vsn;
  /** The socket's apikey; channels without their own access_token use it. */
  readonly token: string;
  /** Upgrade request headers, passed to policies as `request.headers`. */
  readonly headers: Record<string, string>;
  readonly pool: pg.Pool;
  readonly keys: Keys;
  readonly hub: Hub;
  readonly changes: PostgresChanges;
  /** Private-channel authorization runs here, never on `pool`. */
  readonly authz: AuthorizationPool;
  /** Sends an already encoded frame. */
  sendFrame(frame: string | Buffer): void;
  push(m: PhxMessage): void;
  /** Drops a channel from the topic table if it is still the current one. */
  forget(ch: { readonly joinTopic: string }): void;
}

/** Broadcast from the database: picks up committed realtime.messages rows (announced by NOTIFY) and keeps the table small. */
import pg from 'pg';
import type { UserBroadcast } from './hub.ts';

/** Where a picked-up message goes: the topic's public or private subscribers. */
export type Deliver = (isPrivate: boolean, topic: string, msg: UserBroadcast) => void;

const CHANNEL = 'realtime_broadcast';
/**
 * Delivered rows are deleted after this long. Hosted Realtime keeps daily partitions for a few days
 * (for `replay`); locally nothing reads old rows back, so minutes are enough to debug with SQL.
 */
export const RETENTION_MINUTES = 10;
const CLEANUP_EVERY_MS = 60_000;

interface Announcement {
  id: string;
  topic?: string;
  event?: string;
  private?: boolean;
  payload?: unknown;
  binary?: string | null;
  large?: boolean;
}

/** A LISTEN connection that survives Postgres restarts, plus the periodic cleanup. */
export class DatabaseBroadcasts {
  private readonly pool: pg.Pool;
  private readonly dbUrl: string;
  private readonly deliver: Deliver;
  private client: pg.Client | null = null;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private cleanupTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(pool: pg.Pool, dbUrl: string, deliver: Deliver) {
    this.pool = pool;
    this.dbUrl = dbUrl;
    this.deliver = deliver;
  }

  /** The LISTEN connection's server process id (null while reconnecting). */
  get backendPid(): number | null {
    return (this.client as (pg.Client & { processID?: number }) | null)?.processID ?? null;
  }

  async start(): Promise<void> {
    await this.listen();
    this.cleanupTimer = setInterval(() => void this.cleanup(), CLEANUP_EVERY_MS);
    this.cleanupTimer.unref();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.dbUrl, application_name: 'realtime broadcast listener' });
    client.on('error', () => {});
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      const payload = n.payload;
      this.chain = this.chain
        .then(() => this.handle(payload))
        .catch((err: Error) => {
          process.stderr.write(`[realtime] broadcast from database failed: ${err.message}\n`);
        });
    });
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = null;
      this.scheduleReconnect(500);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(delay: number): void {
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.listen().catch((err: Error) => {
        process.stderr.write(`[realtime] LISTEN reconnect failed: ${err.message}\n`);
        this.scheduleReconnect(Math.min(delay * 2, 10000));
      });
    }, delay);
    this.retryTimer.unref();
  }

  private async handle(text: string): Promise<void> {
    let a = JSON.parse(text) as Announcement;
    if (a.large) {
      const res = await this.pool.query<{
        topic: string;
        event: string;
        private: boolean;
        payload: unknown;
        binary: string | null;
      }>(
        `select topic, event, coalesce(private, true) as private, payload, encode(binary_payload, 'base64') as binary
           from realtime.messages where id = $1`,
        [a.id],
      );
      const row = res.rows[0];
      if (!row) return; // already cleaned up
      a = { id: a.id, ...row };
    }
    if (typeof a.topic !== 'string' || typeof a.event !== 'string') return;
    const msg: UserBroadcast =
      typeof a.binary === 'string'
        ? { event: a.event, encoding: 'binary', payload: Buffer.from(a.binary, 'base64'), meta: { id: a.id } }
        : {
            event: a.event,
            encoding: 'json',
            payload: Buffer.from(JSON.stringify(a.payload ?? null)),
            meta: { id: a.id },
          };
    this.deliver(a.private !== false, a.topic, msg);
  }

  /** Deletes rows older than the retention; hosted drops whole daily partitions instead. */
  async cleanup(): Promise<number> {
    try {
      const res = await this.pool.query(
        `delete from realtime.messages where inserted_at < (now() - make_interval(mins => $1))::timestamp`,
        [RETENTION_MINUTES],
      );
      return res.rowCount ?? 0;
    } catch {
      return 0; // Postgres restarting: try again next time
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
    await this.chain;
  }
}

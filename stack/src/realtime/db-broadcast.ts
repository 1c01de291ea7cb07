/**
 * Broadcast from the database: committed realtime.messages rows read from the WAL through a logical
 * replication slot on the publication `supabase_realtime_messages_publication`, as hosted Realtime reads
 * them, and a periodic cleanup that keeps the table small.
 *
 * (It used NOTIFY from a row trigger before. Postgres serialises the commits of every transaction that
 * sent a NOTIFY, so concurrent ingest statements, each broadcasting once, waited for one another's WAL
 * flush; reading the WAL costs the writers nothing.)
 */
import type pg from 'pg';
import type { UserBroadcast } from './hub.ts';
import { ReplicationStream, type Transaction } from './cdc/stream.ts';

/** Where a picked-up message goes: the topic's public or private subscribers. */
export type Deliver = (isPrivate: boolean, topic: string, msg: UserBroadcast) => void;

/** The publication bootstrap/10_realtime.sql creates: inserts into realtime.messages. */
export const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';
/**
 * Delivered rows are deleted after this long. Hosted Realtime keeps daily partitions for a few days
 * (for `replay`); locally nothing reads old rows back, so minutes are enough to debug with SQL.
 */
export const RETENTION_MINUTES = 10;
const CLEANUP_EVERY_MS = 60_000;

/** A replication stream of new broadcast rows that survives Postgres restarts, plus the periodic cleanup. */
export class DatabaseBroadcasts {
  private readonly pool: pg.Pool;
  private readonly deliver: Deliver;
  private readonly stream: ReplicationStream;
  private cleanupTimer: NodeJS.Timeout | null = null;

  constructor(pool: pg.Pool, dbUrl: string, deliver: Deliver) {
    this.pool = pool;
    this.deliver = deliver;
    this.stream = new ReplicationStream({
      dbUrl,
      publication: MESSAGES_PUBLICATION,
      applicationName: 'realtime broadcast from database',
      onTransaction: async (tx) => this.handle(tx),
    });
  }

  /** The replication connection's server process id, once its slot captures commits (null while reconnecting). */
  get backendPid(): number | null {
    return this.stream.backendPid;
  }

  async start(): Promise<void> {
    await this.stream.start();
    this.cleanupTimer = setInterval(() => void this.cleanup(), CLEANUP_EVERY_MS);
    this.cleanupTimer.unref();
  }

  private handle(tx: Transaction): void {
    for (const change of tx.changes) {
      if (change.kind !== 'INSERT' || !change.newTuple) continue;
      const row = new Map<string, string | null>();
      change.relation.columns.forEach((c, i) => {
        const v = change.newTuple![i];
        row.set(c.name, typeof v === 'string' ? v : null);
      });
      const id = row.get('id') ?? '';
      const topic = row.get('topic');
      const event = row.get('event');
      if (row.get('extension') !== 'broadcast' || typeof topic !== 'string' || typeof event !== 'string') continue;
      const binary = row.get('binary_payload');
      const msg: UserBroadcast =
        typeof binary === 'string'
          ? { event, encoding: 'binary', payload: byteaFromText(binary), meta: { id } }
          : { event, encoding: 'json', payload: Buffer.from(row.get('payload') ?? 'null'), meta: { id } };
      this.deliver(row.get('private') !== 'f', topic, msg);
    }
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
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    await this.stream.stop();
  }
}

/** bytea in Postgres' text output (hex: `\x0a1b…`). */
function byteaFromText(text: string): Buffer {
  return text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text, 'binary');
}

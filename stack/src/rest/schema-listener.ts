/** Listens for `NOTIFY pgrst, 'reload schema'` and `'reload config'` (as PostgREST does) and reloads the schema cache when it arrives. */
import pg from 'pg';

const RETRY_MS = 5000;

/** Keeps one LISTEN connection open while requests arrive; it never keeps the process alive and reconnects after a drop. */
export class SchemaListener {
  private client: pg.Client | null = null;
  private lastAttempt = -Infinity;
  private readonly dbUrl: string;
  private readonly onReload: () => void;
  constructor(dbUrl: string, onReload: () => void) {
    this.dbUrl = dbUrl;
    this.onReload = onReload;
  }

  /** Connects if not connected (at most once every few seconds); errors are swallowed because the cache also reloads on a miss. */
  ensure(): void {
    if (this.client || performance.now() - this.lastAttempt < RETRY_MS) return;
    this.lastAttempt = performance.now();
    const client = new pg.Client({ connectionString: this.dbUrl, application_name: 'rest schema listener' });
    this.client = client;
    const drop = () => {
      if (this.client === client) this.client = null;
      client.end().catch(() => {});
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', (msg) => {
      if (
        msg.channel === 'pgrst' &&
        (!msg.payload || msg.payload === 'reload schema' || msg.payload === 'reload config')
      )
        this.onReload();
    });
    client
      .connect()
      .then(() => {
        // The socket must not hold the process open after the stack stops.
        (client as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
        return client.query('listen pgrst');
      })
      .catch(drop);
  }
}

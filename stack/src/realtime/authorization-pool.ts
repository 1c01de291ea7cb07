/** The Postgres connections private-channel authorization runs on: few, apart from REST/Auth's pool, with a bounded queue. */
import pg from 'pg';

/** Hosted's join reply when authorization cannot get a database connection. */
export const AUTHORIZATION_BUSY_REASON = 'IncreaseConnectionPool: Please increase your connection pool size';

/** Thrown when too many checks are waiting; joins answer it with hosted's IncreaseConnectionPool reply. */
export class AuthorizationBusyError extends Error {
  constructor() {
    super(AUTHORIZATION_BUSY_REASON);
  }
}

/**
 * A small pool of its own, so a flood of private joins can take at most `size` connections and never
 * starves the pool REST and Auth use; checks beyond `size + queueLength` are refused instead of buffered.
 */
export class AuthorizationPool {
  private readonly pool: pg.Pool;
  private readonly capacity: number;
  private pending = 0;

  constructor(connectionString: string, size: number, queueLength: number) {
    this.pool = new pg.Pool({
      connectionString,
      max: size,
      idleTimeoutMillis: 30_000,
      application_name: 'vibe realtime authorization',
    });
    this.pool.on('error', () => {}); // a dropped idle client is replaced on next use
    this.pool.on('connect', (client) => client.on('error', () => {}));
    this.capacity = size + queueLength;
  }

  /** Checks waiting or running now. */
  get inUse(): number {
    return this.pending;
  }

  /** A connection for one check; rejects at once with AuthorizationBusyError when the queue is full. */
  async connect(): Promise<pg.PoolClient> {
    if (this.pending >= this.capacity) throw new AuthorizationBusyError();
    this.pending++;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.pending--;
      throw err;
    }
    const release = client.release.bind(client);
    let released = false;
    client.release = (err?: Error | boolean) => {
      if (!released) {
        released = true;
        this.pending--;
      }
      return release(err);
    };
    return client;
  }

  /** Closes the connections (Realtime stopping). */
  end(): Promise<void> {
    return this.pool.end();
  }
}

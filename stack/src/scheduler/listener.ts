/** A dedicated LISTEN connection that reconnects by itself (Postgres restarts, dropped sockets). */
import pg from 'pg';

/** Callbacks for notifications and for every (re)connection, when missed notifications must be made up for. */
export interface ListenerHandlers {
  onNotify(channel: string, payload: string): void;
  onConnect(): void;
}

/** LISTENs on a few channels; the connection's application_name makes it visible in pg_stat_activity. */
export class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private delayMs = 250;
  private readonly dbUrl: string;
  private readonly channels: readonly string[];
  private readonly applicationName: string;
  private readonly handlers: ListenerHandlers;

  constructor(dbUrl: string, channels: readonly string[], applicationName: string, handlers: ListenerHandlers) {
    this.dbUrl = dbUrl;
    this.channels = channels;
    this.applicationName = applicationName;
    this.handlers = handlers;
  }

  /** Connects once; on failure keeps retrying in the background rather than failing the stack. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.dbUrl, application_name: this.applicationName });
    client.on('error', () => this.retry(client));
    client.on('end', () => this.retry(client));
    client.on('notification', (msg) => this.handlers.onNotify(msg.channel, msg.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`listen ${client.escapeIdentifier(channel)}`);
    } catch {
      this.retry(client);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delayMs = 250;
    this.handlers.onConnect();
  }

  private retry(client: pg.Client): void {
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, 5000);
  }

  /** Closes the connection and cancels any pending reconnection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}

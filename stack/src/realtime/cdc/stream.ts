/** A logical replication stream of publication `supabase_realtime`: a temporary pgoutput slot read over the streaming replication protocol. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { decodePgOutput, type Relation, type TupleValue } from './pgoutput.ts';

/** One row change, with the relation it belongs to. */
export interface Change {
  kind: 'INSERT' | 'UPDATE' | 'DELETE';
  relation: Relation;
  newTuple: TupleValue[] | null;
  oldTuple: TupleValue[] | null;
}

/** A committed transaction's changes to published tables. */
export interface Transaction {
  commitTime: Date;
  /** 32-bit transaction id, to wait for the commit to become visible to other sessions. */
  xid: number;
  changes: Change[];
}

export interface StreamOptions {
  dbUrl: string;
  publication: string;
  onTransaction: (tx: Transaction) => Promise<void>;
  /** Called when a relation's definition arrives (before changes that use it). */
  onRelation?: (rel: Relation) => void;
  /** Shown in pg_stat_activity; default "realtime postgres_changes". */
  applicationName?: string;
  /** Whether anyone listens to a table now; other rows are not kept in memory (bulk loads of busy tables). */
  wants?: (relid: number) => boolean;
}

/** Slots this server creates start with this; inactive leftovers with it are dropped at start. */
export const SLOT_PREFIX = 'supabase_realtime_replication_slot_';
const STATUS_INTERVAL_MS = 10000;

/** Receives the stream's CopyData frames; a pg "submittable" so node-postgres routes them here. */
class StartReplication {
  readonly text: string;
  private readonly onData: (chunk: Buffer) => void;
  private readonly onEnd: (err: Error | null) => void;
  constructor(text: string, onData: (chunk: Buffer) => void, onEnd: (err: Error | null) => void) {
    this.text = text;
    this.onData = onData;
    this.onEnd = onEnd;
  }
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyData(msg: { chunk: Buffer }): void {
    this.onData(msg.chunk);
  }
  handleError(err: Error): void {
    this.onEnd(err);
  }
  handleReadyForQuery(): void {
    this.onEnd(null);
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
}

/** Streams committed changes until stopped; reconnects (with a new temporary slot) after a failure. */
export class ReplicationStream {
  private readonly opts: StreamOptions;
  private client: pg.Client | null = null;
  private stopped = false;
  private relations = new Map<number, Relation>();
  private current: Transaction | null = null;
  /** Highest LSN fully handled; reported as flushed so Postgres can recycle WAL. */
  private flushed = 0n;
  private received = 0n;
  private statusTimer: NodeJS.Timeout | null = null;
  /** Transactions are handled one at a time, in commit order. */
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** A new name per connection: the previous temporary slot may not be gone yet when reconnecting. */
  private slot = '';

  constructor(opts: StreamOptions) {
    this.opts = opts;
  }

  /** The replication connection's server process id (null while reconnecting). */
  get backendPid(): number | null {
    return (this.client as (pg.Client & { processID?: number }) | null)?.processID ?? null;
  }

  /** Creates the slot and starts streaming; resolves once changes committed from now on will be delivered. */
  async start(): Promise<void> {
    await dropLeftoverSlots(this.opts.dbUrl);
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.opts.dbUrl,
      replication: 'database',
      options: '-c TimeZone=UTC',
      application_name: this.opts.applicationName ?? 'realtime postgres_changes',
    } as pg.ClientConfig);
    client.on('error', () => {});
    try {
      await client.connect();
      this.slot = SLOT_PREFIX + randomBytes(6).toString('hex');
      // temporary: Postgres drops it when this connection ends, so a crashed stack cannot retain WAL forever
      await client.query(`CREATE_REPLICATION_SLOT ${this.slot} TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    // Only now does backendPid report the connection: every commit from here on reaches the slot.
    this.client = client;
    this.relations = new Map();
    const pub = this.opts.publication.replace(/'/g, "''");
    const query = new StartReplication(
      `START_REPLICATION SLOT ${this.slot} LOGICAL 0/0 (proto_version '1', publication_names '${pub}')`,
      (chunk) => this.onCopyData(chunk),
      (err) => this.onStreamEnd(client, err),
    );
    client.query(query as unknown as pg.Submittable);
    client.on('end', () => this.onStreamEnd(client, new Error('replication connection closed')));
    this.statusTimer = setInterval(() => this.sendStatus(false), STATUS_INTERVAL_MS);
    this.statusTimer.unref();
  }

  private onStreamEnd(client: pg.Client, err: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.statusTimer) clearInterval(this.statusTimer);
    client.end().catch(() => {});
    if (this.stopped) return;
    process.stderr.write(`[realtime] replication stream ended (${err?.message ?? 'no error'}); reconnecting\n`);
    const retry = (delay: number) =>
      setTimeout(() => {
        if (this.stopped) return;
        this.connect().catch((e: Error) => {
          process.stderr.write(`[realtime] replication reconnect failed: ${e.message}\n`);
          retry(Math.min(delay * 2, 10000));
        });
      }, delay).unref();
    retry(500);
  }

  private onCopyData(chunk: Buffer): void {
    const type = chunk[0];
    if (type === 0x77 /* w: XLogData */) {
      const walStart = chunk.readBigUInt64BE(1);
      if (walStart > this.received) this.received = walStart;
      this.onMessage(chunk.subarray(25));
    } else if (type === 0x6b /* k: keepalive */) {
      const walEnd = chunk.readBigUInt64BE(1);
      // nothing pending means everything up to walEnd is handled
      if (!this.current && this.pending === 0 && walEnd > this.flushed) this.flushed = walEnd;
      if (chunk[17] === 1) this.sendStatus(false);
    }
  }

  private onMessage(data: Buffer): void {
    const msg = decodePgOutput(data);
    switch (msg.tag) {
      case 'begin':
        this.current = { commitTime: msg.commitTime, xid: msg.xid, changes: [] };
        break;
      case 'relation':
        this.relations.set(msg.relation.relid, msg.relation);
        this.opts.onRelation?.(msg.relation);
        break;
      case 'insert':
      case 'update':
      case 'delete': {
        const relation = this.relations.get(msg.relid);
        if (!relation || !this.current || this.opts.wants?.(msg.relid) === false) break;
        this.current.changes.push({
          kind: msg.tag === 'insert' ? 'INSERT' : msg.tag === 'update' ? 'UPDATE' : 'DELETE',
          relation,
          newTuple: msg.tag === 'delete' ? null : msg.newTuple,
          oldTuple: msg.tag === 'insert' ? null : msg.oldTuple,
        });
        break;
      }
      case 'commit': {
        const tx = this.current;
        this.current = null;
        const end = msg.endLsn;
        if (!tx || tx.changes.length === 0) {
          this.flushed = end;
          break;
        }
        this.pending++;
        this.chain = this.chain
          .then(() => this.opts.onTransaction(tx))
          .catch((err: Error) =>
            process.stderr.write(`[realtime] postgres_changes dispatch failed: ${err.stack ?? err.message}\n`),
          )
          .then(() => {
            this.pending--;
            if (end > this.flushed) this.flushed = end;
          });
        break;
      }
    }
  }

  /** Standby status update: written/flushed/applied LSNs, so the slot advances. */
  private sendStatus(replyRequested: boolean): void {
    const client = this.client as (pg.Client & { connection: { sendCopyFromChunk(b: Buffer): void } }) | null;
    if (!client) return;
    const buf = Buffer.alloc(34);
    buf.write('r', 0);
    // biome-ignore lint/complexity/useMathMinMax: these are bigints, which Math.max rejects.
    const written = this.received > this.flushed ? this.received : this.flushed;
    buf.writeBigUInt64BE(written, 1);
    buf.writeBigUInt64BE(this.flushed, 9);
    buf.writeBigUInt64BE(this.flushed, 17);
    buf.writeBigUInt64BE(BigInt(Date.now() - 946684800000) * 1000n, 25);
    buf.writeUInt8(replyRequested ? 1 : 0, 33);
    try {
      client.connection.sendCopyFromChunk(buf);
    } catch {
      // the connection is going away; onStreamEnd reconnects
    }
  }

  /** Ends the stream; the temporary slot goes with the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
    await this.chain;
  }
}

/** Drops slots of ours that nobody is using (a persistent one left by a crash of an older build). */
async function dropLeftoverSlots(dbUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(
      `select pg_drop_replication_slot(slot_name) from pg_replication_slots
        where slot_name like $1 and not active and database = current_database()`,
      [SLOT_PREFIX.replace(/_/g, '\\_') + '%'],
    );
  } finally {
    await client.end().catch(() => {});
  }
}

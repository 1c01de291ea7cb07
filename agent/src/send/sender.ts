/**
 * Sends queued rows with the agent's client: oldest first, grouped per table, inserted with
 * `on conflict do nothing` on each table's primary key so a replay never duplicates.
 */
import type { Logger } from '../log.ts';
import { classifyError, describeError, type InsertError } from './classify.ts';
import type { AgentClient } from './client.ts';
import type { DiskQueue, QueueBatch } from './queue.ts';
import { CONFLICT_KEYS, type QueuedRow, type SampleTable } from './rows.ts';

/** How a flush ended. */
export interface FlushResult {
  /** Rows delivered (or already present). */
  sent: number;
  /** Rows the server refused and that were given up on. */
  rejected: number;
  /** Set when the flush stopped early on an error worth retrying. */
  error: InsertError | null;
}

/** Sender settings. */
export interface SenderOptions {
  /** Rows per request. */
  batchRows?: number;
  /** Re-establishes the session after a 401 (refresh, else password sign-in). */
  reauth?: () => Promise<void>;
  log: Logger;
}

/** Moves rows from the queue to the tables. */
export class Sender {
  readonly #queue: DiskQueue<QueuedRow>;
  readonly #client: AgentClient;
  readonly #options: SenderOptions;
  readonly #batchRows: number;

  constructor(queue: DiskQueue<QueuedRow>, client: AgentClient, options: SenderOptions) {
    this.#queue = queue;
    this.#client = client;
    this.#options = options;
    this.#batchRows = options.batchRows ?? 500;
  }

  async #insert(table: SampleTable, rows: QueuedRow['row'][]): Promise<InsertError | null> {
    try {
      return await this.#client.upsert(table, rows as Record<string, unknown>[], CONFLICT_KEYS[table]);
    } catch (err) {
      return { status: 0, code: null, message: err instanceof Error ? err.message : String(err) };
    }
  }

  // One request per table present in the batch, in the order they first appear.
  async #sendRecords(records: QueuedRow[]): Promise<InsertError | null> {
    const byTable = new Map<SampleTable, QueuedRow['row'][]>();
    for (const r of records) {
      const list = byTable.get(r.table) ?? [];
      list.push(r.row);
      byTable.set(r.table, list);
    }
    for (const [table, rows] of byTable) {
      const error = await this.#insert(table, rows);
      if (error) return error;
    }
    return null;
  }

  /**
   * Sends until the queue is empty or an error worth retrying stops it. A refused batch is retried
   * row by row so one bad row does not take good ones with it; rows refused on their own are logged
   * with the server's message and dropped rather than retried forever. A 401 triggers one session
   * renewal and one retry.
   */
  async flush(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, rejected: 0, error: null };
    let reauthed = false;
    for (;;) {
      const batch: QueueBatch<QueuedRow> = await this.#queue.read(this.#batchRows);
      if (batch.records.length === 0) {
        if (batch.corrupt > 0) await this.#queue.ack(batch);
        return result;
      }
      let error = await this.#sendRecords(batch.records);
      if (error && classifyError(error) === 'reauth' && !reauthed && this.#options.reauth) {
        reauthed = true;
        this.#options.log.warn(`Insert not authorised (${describeError(error)}); signing in again`);
        try {
          await this.#options.reauth();
          error = await this.#sendRecords(batch.records);
        } catch (err) {
          this.#options.log.warn(`Cannot sign in again: ${(err as Error).message}`);
        }
      }
      if (!error) {
        await this.#queue.ack(batch);
        result.sent += batch.records.length;
        continue;
      }
      if (classifyError(error) !== 'reject') {
        result.error = error;
        return result;
      }
      // Refused: find the rows at fault one by one.
      for (const record of batch.records) {
        const single = batch.records.length === 1 ? error : await this.#sendRecords([record]);
        if (!single) {
          result.sent++;
          continue;
        }
        if (classifyError(single) !== 'reject') {
          // The server went away mid-way: what was sent is idempotent, so the whole batch is retried later.
          result.error = single;
          return result;
        }
        result.rejected++;
        this.#options.log.error(
          `The server refused a ${record.table} row for ${String(record.row.ts)}, dropping it: ${describeError(single)}`,
        );
      }
      await this.#queue.ack(batch);
    }
  }
}

/** Agents inserting samples with unique times, retrying each until it is acknowledged, as the agent's queue does. */
import type { SupabaseClient } from '@supabase/supabase-js';

/** What one ingest loop saw. */
export interface IngestRecord {
  hostId: string;
  /** Sample times the API acknowledged (2xx): these must never be lost. */
  acked: string[];
  /** Failed attempts (retried). */
  failures: number;
  /** Time of each failure and of each success, for outage figures. */
  failureAt: number[];
  successAt: number[];
}

/** Inserts one sample per `everyMs` until `stop()`; a failed sample is retried until acknowledged before the next. */
export function ingestLoop(
  client: SupabaseClient,
  hostId: string,
  everyMs: number,
  startTs: number,
): { record: IngestRecord; stop: () => Promise<void> } {
  const record: IngestRecord = { hostId, acked: [], failures: 0, failureAt: [], successAt: [] };
  let stopping = false;
  const done = (async () => {
    let k = 0;
    while (!stopping) {
      const ts = new Date(startTs + k * 1000).toISOString();
      const { error } = await client.from('host_samples').insert({ host_id: hostId, ts, cpu_total: (k * 7) % 100 });
      if (error) {
        record.failures++;
        record.failureAt.push(Date.now());
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      record.acked.push(ts);
      record.successAt.push(Date.now());
      k++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    record,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

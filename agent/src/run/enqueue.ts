/** Appending rows to the disk queue from the periodic jobs, where a failure is logged rather than thrown. */
import type { Logger } from '../log.ts';
import type { DiskQueue } from '../send/queue.ts';
import type { QueuedRow } from '../send/rows.ts';

/** Appends rows and says whether they were queued; `what` names them in the error line. */
export type Enqueue = (rows: QueuedRow[], what: string) => Promise<boolean>;

/** An `Enqueue` into `queue` that logs a failed append (disk full, unwritable directory) as an error. */
export function queueAppender(queue: DiskQueue<QueuedRow>, log: Logger): Enqueue {
  return async (rows, what) => {
    try {
      await queue.append(rows);
      return true;
    } catch (err) {
      log.error(`Cannot queue ${what}: ${(err as Error).message}`);
      return false;
    }
  };
}

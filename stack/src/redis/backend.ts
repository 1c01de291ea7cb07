/** What the Upstash endpoint runs commands on: a Redis server over RESP, or the in-process fallback store. */
import type { RedisClient } from './client.ts';
import { ReplyError, type Reply } from './resp.ts';

/** A command as bytes: name first, then arguments. */
export type Command = Buffer[];

export interface RedisBackend {
  /** `redis-server` (started by the stack), `redis-url` (REDIS_URL) or `memory` (fallback). */
  readonly kind: 'redis-server' | 'redis-url' | 'memory';
  /** Runs commands in order, not atomically; Redis errors come back as ReplyError values. Throws RedisUnavailableError when unreachable. */
  pipeline(commands: Command[]): Promise<Reply[]>;
  /** Runs commands atomically (MULTI/EXEC); a ReplyError when Redis discarded the whole transaction. */
  transaction(commands: Command[]): Promise<Reply[] | ReplyError>;
  close(): Promise<void>;
}

/** A backend over a RESP connection (a stack-run redis-server or REDIS_URL). */
export function respBackend(
  kind: 'redis-server' | 'redis-url',
  client: RedisClient,
  onClose: () => Promise<void> = async () => {},
): RedisBackend {
  return {
    kind,
    pipeline: (commands) => client.batch(commands),
    async transaction(commands) {
      // One write: MULTI, the commands, EXEC. The shared connection carries nothing else in between.
      const replies = await client.batch([[Buffer.from('MULTI')], ...commands, [Buffer.from('EXEC')]]);
      return execResult(replies);
    },
    async close() {
      await client.close();
      await onClose();
    },
  };
}

/** Turns the replies of MULTI, the queued commands and EXEC into the transaction's result. */
export function execResult(replies: Reply[]): Reply[] | ReplyError {
  const exec = replies[replies.length - 1];
  if (Array.isArray(exec)) return exec;
  // EXECABORT: report the command that could not be queued, which says what to fix.
  const queued = replies.slice(1, -1).find((r) => r instanceof ReplyError);
  if (queued instanceof ReplyError) return new ReplyError(`${queued.message} (transaction discarded: no command ran)`);
  if (exec instanceof ReplyError) return exec;
  return new ReplyError('ERR transaction aborted');
}

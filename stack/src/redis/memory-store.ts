/** The in-process fallback used only when no redis-server is installed and REDIS_URL is unset: a keyspace with expiry. */
import type { RedisBackend } from './backend.ts';
import { COMMANDS } from './memory-commands.ts';
import { Keyspace } from './memory-keyspace.ts';
import { ReplyError, type Reply } from './resp.ts';

/** The error Redis gives before running a command (unknown name, wrong arity), or null. */
function queueError(command: Buffer[]): ReplyError | null {
  const name = command[0]!.toString().toLowerCase();
  const spec = COMMANDS[name];
  if (!spec) {
    const args = command
      .slice(1, 4)
      .map((a) => `'${a.toString()}' `)
      .join('');
    return new ReplyError(`ERR unknown command '${command[0]!.toString()}', with args beginning with: ${args}`);
  }
  const argc = command.length;
  if (spec.arity >= 0 ? argc !== spec.arity : argc < -spec.arity)
    return new ReplyError(`ERR wrong number of arguments for '${name}' command`);
  return null;
}

/** Runs one command against the keyspace; unknown commands and wrong arity give Redis's errors. */
export function runCommand(ks: Keyspace, command: Buffer[]): Reply {
  const bad = queueError(command);
  if (bad) return bad;
  try {
    return COMMANDS[command[0]!.toString().toLowerCase()]!.run(ks, command.slice(1));
  } catch (err) {
    if (err instanceof ReplyError) return err;
    throw err;
  }
}

/** The fallback backend; commands run synchronously, so pipelines and transactions are trivially in order and atomic. */
export function memoryBackend(): RedisBackend {
  const ks = new Keyspace();
  return {
    kind: 'memory',
    async pipeline(commands) {
      return commands.map((c) => runCommand(ks, c));
    },
    async transaction(commands) {
      // Queue-time checks as Redis makes them: an unknown command or wrong arity discards everything.
      for (const c of commands) {
        const bad = queueError(c);
        if (bad) return new ReplyError(`${bad.message} (transaction discarded: no command ran)`);
      }
      return commands.map((c) => runCommand(ks, c));
    },
    async close() {},
  };
}

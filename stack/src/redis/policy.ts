/** Which commands the REST endpoint refuses, as Upstash's REST API does, and why. */

const BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
]);
const SUBSCRIPTIONS = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
]);
// These change or end the shared connection every request runs on.
const CONNECTION = new Set([
  'auth',
  'hello',
  'select',
  'quit',
  'reset',
  'client',
  'readonly',
  'readwrite',
  'asking',
  'swapdb',
]);
const TRANSACTION = new Set(['multi', 'exec', 'discard', 'watch', 'unwatch']);
const ADMIN = new Set([
  'shutdown',
  'config',
  'debug',
  'slaveof',
  'replicaof',
  'sync',
  'psync',
  'replconf',
  'module',
  'acl',
  'failover',
  'cluster',
  'migrate',
  'bgrewriteaof',
  'bgsave',
  'save',
  'lastsave',
]);

/** The error to answer instead of running `name`, or null when the command may run. */
export function refusal(name: string, args: readonly Buffer[]): string | null {
  const cmd = name.toLowerCase();
  if (BLOCKING.has(cmd)) {
    return `ERR Command is not available: '${cmd}': blocking commands are not supported by the REST API; use the non-blocking form (e.g. LPOP, ZPOPMIN) and poll`;
  }
  if ((cmd === 'xread' || cmd === 'xreadgroup') && args.some((a) => a.toString().toLowerCase() === 'block')) {
    return `ERR Command is not available: '${cmd} ... BLOCK': blocking reads are not supported by the REST API; drop BLOCK and poll`;
  }
  if (SUBSCRIPTIONS.has(cmd)) {
    return `ERR Command is not available: '${cmd}': subscriptions need a persistent connection; use Supabase Realtime, or PUBLISH only`;
  }
  if (CONNECTION.has(cmd)) {
    return `ERR Command is not available: '${cmd}': the REST API authenticates with its bearer token and uses one database; only PING and ECHO of the connection commands are supported`;
  }
  if (TRANSACTION.has(cmd)) {
    return `ERR Command is not available: '${cmd}': send the commands of a transaction together to /multi-exec (redis.multi() in @upstash/redis)`;
  }
  if (ADMIN.has(cmd)) {
    return `ERR Command is not available: '${cmd}': server administration is not allowed through the REST API`;
  }
  return null;
}

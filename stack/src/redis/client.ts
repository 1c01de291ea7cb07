/** A small pipelining Redis client over one TCP (or TLS) connection, reconnecting on demand. */
import net from 'node:net';
import tls from 'node:tls';
import { encodeCommands, ReplyError, RespParser, type Reply } from './resp.ts';

/** Where a Redis server listens and how to log in to it. */
export interface RedisAddress {
  host: string;
  port: number;
  tls?: boolean;
  username?: string;
  password?: string;
  db?: number;
}

/** Thrown when Redis cannot be reached; the HTTP layer maps it to 503. */
export class RedisUnavailableError extends Error {}

/** Parses `redis://[user:pass@]host[:port][/db]` or `rediss://…` (TLS). */
export function parseRedisUrl(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`Invalid REDIS_URL "${url}": expected redis://[user:password@]host[:port][/db]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`Invalid REDIS_URL "${url}": the scheme must be redis:// or rediss://`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`Invalid REDIS_URL "${url}": the path must be a database number`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    tls: u.protocol === 'rediss:',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db === '' ? undefined : Number(db),
  };
}

interface Waiter {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/**
 * Commands are written as they come and replies matched in order, so many callers share one connection (as Redis
 * clients usually do). A batch is written in one piece, so nothing else can land between its commands.
 */
export class RedisClient {
  private readonly address: () => RedisAddress;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private waiters: Waiter[] = [];
  private closed = false;
  private readonly parser = new RespParser((reply) => this.waiters.shift()?.resolve(reply));

  /** `address` is read on every (re)connect, so a restarted server may move ports. */
  constructor(address: RedisAddress | (() => RedisAddress)) {
    this.address = typeof address === 'function' ? address : () => address;
  }

  /** Runs one command; a Redis error reply is returned as a ReplyError value, not thrown. */
  async command(args: readonly (Buffer | string)[]): Promise<Reply> {
    const [reply] = await this.batch([args]);
    return reply!;
  }

  /** Writes all commands at once and resolves with one reply per command, in order. */
  async batch(commands: readonly (readonly (Buffer | string)[])[]): Promise<Reply[]> {
    const socket = await this.connect();
    const replies = commands.map(() => new Promise<Reply>((resolve, reject) => this.waiters.push({ resolve, reject })));
    socket.write(encodeCommands(commands));
    return Promise.all(replies);
  }

  /** Closes the connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket ?? (await this.connecting?.catch(() => null));
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new RedisUnavailableError('Redis client is closed'));
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<net.Socket> {
    const addr = this.address();
    const where = `${addr.host}:${addr.port}`;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = addr.tls
        ? tls.connect({ host: addr.host, port: addr.port, servername: net.isIP(addr.host) ? undefined : addr.host })
        : net.connect({ host: addr.host, port: addr.port });
      const timer = setTimeout(() => s.destroy(new Error('connect timed out after 3 s')), 3000);
      s.once(addr.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new RedisUnavailableError(`Cannot connect to Redis at ${where}: ${err.message}`));
      });
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30000);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.feed(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', () => {}); // 'close' follows and fails the waiters
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.parser.reset();
      const lost = this.waiters;
      this.waiters = [];
      for (const w of lost) w.reject(new RedisUnavailableError(`Lost the connection to Redis at ${where}`));
    });
    const hello: string[][] = [];
    if (addr.password !== undefined)
      hello.push(addr.username ? ['AUTH', addr.username, addr.password] : ['AUTH', addr.password]);
    if (addr.db) hello.push(['SELECT', String(addr.db)]);
    if (hello.length > 0) {
      const replies = await new Promise<Reply[]>((resolve, reject) => {
        const got: Reply[] = [];
        for (let i = 0; i < hello.length; i++) {
          this.waiters.push({ resolve: (r) => (got.push(r), got.length === hello.length && resolve(got)), reject });
        }
        socket.write(encodeCommands(hello));
      });
      const failed = replies.find((r) => r instanceof ReplyError);
      if (failed) {
        socket.destroy();
        throw new Error(`Redis at ${where} refused the login: ${failed.message}`);
      }
    }
    this.socket = socket;
    return socket;
  }
}

/** Upstash-REST-compatible endpoint in front of a real redis-server (or REDIS_URL, or an in-process store). */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { StackContext } from '../context.ts';
import type { Service } from '../gateway/http.ts';
import { respBackend, type RedisBackend } from './backend.ts';
import { parseRedisUrl, RedisClient } from './client.ts';
import { memoryBackend } from './memory-store.ts';
import { findRedisServer, RedisProcess } from './server-process.ts';
import { createUpstashService } from './service.ts';

export interface RedisServer {
  /** Mounted at /upstash on the gateway; checks its own bearer token. */
  service: Service;
  /** The bearer token clients must send (UPSTASH_REDIS_REST_TOKEN). */
  token: string;
  /** What answers the commands: a stack-run `redis-server`, `REDIS_URL`, or the `memory` fallback. */
  backend: RedisBackend['kind'];
  /** The private redis-server's pid when the stack runs one. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** An existing Redis to use instead of starting one; defaults to the `REDIS_URL` environment variable. */
  redisUrl?: string;
  /** The redis-server binary; defaults to the one on PATH. `null` forces the in-process store. */
  redisServerBin?: string | null;
  /** Where warnings and restarts are reported; defaults to stderr. */
  log?: (line: string) => void;
}

/** Derives a stable secret from the project's JWT secret, so it survives restarts without a file of its own. */
export function deriveSecret(ctx: StackContext, label: string): string {
  return createHmac('sha256', ctx.keys.secrets.jwtSecret).update(label).digest('base64url');
}

/** Starts the backend (redis-server child, REDIS_URL connection, or memory store) and the REST service over it. */
export async function startRedis(ctx: StackContext, options: RedisOptions = {}): Promise<RedisServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[redis] ${line}\n`));
  const token = deriveSecret(ctx, 'upstash-redis-rest-token');
  const redisUrl = options.redisUrl ?? (process.env.REDIS_URL || undefined);
  const bin = options.redisServerBin === undefined ? findRedisServer() : options.redisServerBin;
  let backend: RedisBackend;
  let server: RedisProcess | null = null;
  if (redisUrl) {
    const address = parseRedisUrl(redisUrl);
    const client = new RedisClient(address);
    await client
      .command(['PING'])
      .catch((err: Error) => log(`REDIS_URL is not answering yet (${err.message}); requests get 503 until it does`));
    backend = respBackend('redis-url', client);
  } else if (bin) {
    const password = deriveSecret(ctx, 'redis-server-password');
    const proc = new RedisProcess({ bin, dir: path.join(ctx.config.dataDir, 'redis'), password, log });
    try {
      await proc.start();
      server = proc;
      const client = new RedisClient(() => ({ host: '127.0.0.1', port: proc.port, password }));
      backend = respBackend('redis-server', client, () => proc.stop());
    } catch (err) {
      await proc.stop();
      log(
        `WARNING: ${bin} could not start (${(err as Error).message}); using an in-process store with a minimal command set instead`,
      );
      backend = memoryBackend();
    }
  } else {
    log(
      'WARNING: no redis-server binary found on PATH and REDIS_URL is not set; /upstash uses an in-process store with a minimal command set. Install redis-server (apt-get install redis-server) for the real thing',
    );
    backend = memoryBackend();
  }
  return {
    service: createUpstashService(backend, token),
    token,
    backend: backend.kind,
    pid: () => server?.pid,
    stop: () => backend.close(),
  };
}

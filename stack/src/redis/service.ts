/** The Upstash REST API over a Redis backend: `/`, `/pipeline`, `/multi-exec`, path-style commands, bearer token, base64. */
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bearer, header, sendJson, type Service, type ServiceRequest } from '../gateway/http.ts';
import type { Command, RedisBackend } from './backend.ts';
import { RedisUnavailableError } from './client.ts';
import { BadCommandError, commandFromJson, entryToJson, percentDecode, replyToJson } from './encoding.ts';
import { refusal } from './policy.ts';
import { ReplyError, type Reply } from './resp.ts';

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT']);

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadCommandError(`ERR failed to parse the request body as JSON: ${(err as Error).message}`);
  }
}

/** The command of a path-style request: segments, then the POST body as one argument, then query parameters. */
function pathCommand(req: ServiceRequest): Command {
  const args = req.path
    .split('/')
    .filter((s) => s !== '')
    .map(percentDecode);
  if (args.length === 0) {
    throw new BadCommandError(
      'ERR no command given: POST a JSON array like ["GET","key"] to /, or use a path like /get/key',
    );
  }
  if ((req.method === 'POST' || req.method === 'PUT') && req.body.length > 0) args.push(req.body);
  for (const [key, value] of req.url.searchParams) {
    if (key === '_token') continue;
    args.push(Buffer.from(key));
    if (value !== '') args.push(Buffer.from(value));
  }
  return args;
}

function commandList(body: Buffer): Command[] {
  const value = parseJson(body);
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadCommandError(
      'ERR the body must be a non-empty JSON array of commands like [["SET","k","v"],["GET","k"]]',
    );
  }
  return value.map((c, i) => commandFromJson(c, `command ${i + 1}`));
}

/** Builds the REST service; every answer carries an advancing `upstash-sync-token`, which the SDK echoes for read-your-writes. */
export function createUpstashService(backend: RedisBackend, token: string): Service {
  let syncToken = 0;

  function send(req: ServiceRequest, res: ServerResponse, status: number, body: unknown): void {
    const given = Number(header(req.headers, 'upstash-sync-token'));
    // Never hand out a token older than the one the client already saw.
    syncToken = Math.max(syncToken, Number.isSafeInteger(given) ? given : 0) + 1;
    sendJson(res, status, body, { 'upstash-sync-token': String(syncToken) });
  }

  /** Runs a pipeline, answering refused commands inline without sending them. */
  async function runPipeline(commands: Command[]): Promise<Reply[]> {
    const refused = commands.map((c) => refusal(c[0]!.toString(), c.slice(1)));
    const allowed = commands.filter((_, i) => refused[i] === null);
    const replies = allowed.length > 0 ? await backend.pipeline(allowed) : [];
    let next = 0;
    return refused.map((r) => (r === null ? replies[next++]! : new ReplyError(r)));
  }

  return async (req, res) => {
    if (!ALLOWED_METHODS.has(req.method)) {
      send(req, res, 405, { error: `ERR method ${req.method} is not allowed: use GET, HEAD, POST or PUT` });
      return;
    }
    const given = bearer(req.headers) ?? req.url.searchParams.get('_token');
    if (!given) {
      send(req, res, 401, {
        error: 'Unauthorized: send the UPSTASH_REDIS_REST_TOKEN as "Authorization: Bearer <token>" or ?_token=',
      });
      return;
    }
    if (!sameToken(given, token)) {
      send(req, res, 401, {
        error: 'WRONGPASS invalid username-password pair or user is disabled: check UPSTASH_REDIS_REST_TOKEN',
      });
      return;
    }
    const base64 = header(req.headers, 'upstash-encoding')?.toLowerCase() === 'base64';
    try {
      if (req.path === '/pipeline' && req.method === 'POST') {
        const replies = await runPipeline(commandList(req.body));
        send(
          req,
          res,
          200,
          replies.map((r) => entryToJson(r, base64)),
        );
        return;
      }
      if (req.path === '/multi-exec' && req.method === 'POST') {
        const commands = commandList(req.body);
        // Upstash discards the whole transaction when one command is unsupported.
        for (const c of commands) {
          const why = refusal(c[0]!.toString(), c.slice(1));
          if (why) throw new BadCommandError(`${why} (transaction discarded: no command ran)`);
        }
        const result = await backend.transaction(commands);
        if (result instanceof ReplyError) send(req, res, 400, { error: result.message });
        else
          send(
            req,
            res,
            200,
            result.map((r) => entryToJson(r, base64)),
          );
        return;
      }
      const command =
        req.path === '/' && req.method !== 'GET' && req.method !== 'HEAD'
          ? commandFromJson(parseJson(req.body))
          : pathCommand(req);
      const [reply] = await runPipeline([command]);
      if (reply instanceof ReplyError) send(req, res, 400, { error: reply.message });
      else send(req, res, 200, { result: replyToJson(reply!, base64) });
    } catch (err) {
      if (err instanceof BadCommandError) send(req, res, 400, { error: err.message });
      else if (err instanceof RedisUnavailableError) {
        send(req, res, 503, {
          error: `ERR Redis is unavailable (${err.message}): the stack restarts its redis-server by itself, retry in a moment`,
        });
      } else throw err;
    }
  };
}

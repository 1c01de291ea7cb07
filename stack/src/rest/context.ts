/** What a planner receives for one request, and what it hands back to be run. */
import type pg from 'pg';
import type { SchemaCache } from './catalog.ts';
import type { Media } from './media.ts';
import type { Preferences } from './prefer.ts';
import type { Reply } from './response.ts';

/** One parsed request, bound to a schema cache. */
export interface RestRequest {
  method: string;
  schema: string;
  /** The path PostgREST would see, e.g. `/items` or `/rpc/fn`. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  /** The request body's media type, lower case without parameters (`application/json` when absent). */
  contentType: string;
  prefs: Preferences;
  /** The `Range` request header (`0-9`), honoured on GET as PostgREST does. */
  range: string | undefined;
  media: Media;
  cache: SchemaCache;
}

/** A planned request: all names are checked; `run` executes it on a connection inside the request's transaction. */
export interface Prepared {
  readOnly: boolean;
  run(client: pg.PoolClient): Promise<{ reply: Reply; rollback: boolean }>;
}

/** What every stack service is built from. */
import type pg from 'pg';
import type { StackConfig } from './config.ts';
import type { Keys } from './keys.ts';

export interface StackContext {
  readonly config: StackConfig;
  readonly keys: Keys;
  /** Superuser pool; services switch role per request with `set_config('role', …)`. */
  readonly pool: pg.Pool;
  /** Superuser connection string. */
  readonly dbUrl: string;
  /** The gateway's public base URL, e.g. `http://127.0.0.1:54321`. */
  readonly publicUrl: string;
  /** Schemas exposed through /rest/v1 (PostgREST's `db-schemas`), first is the default. */
  readonly schemas: readonly string[];
  /** The project's `[api]` settings REST should honour (absent: PostgREST's CLI defaults). */
  readonly api?: ApiSettings;
}

/** `[api]` of the project's supabase/config.toml, as the CLI hands them to PostgREST. */
export interface ApiSettings {
  /** `extra_search_path` (PostgREST's `db-extra-search-path`), default `["public", "extensions"]`. */
  readonly extraSearchPath: readonly string[];
  /** `max_rows` (PostgREST's `db-max-rows`), default 1000. */
  readonly maxRows: number;
}

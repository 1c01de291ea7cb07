/**
 * The agent's own small client for the three things it asks of the server, in place of supabase-js
 * (which alone held ~11 MB of the executable's resident memory, issue 14). It sends what
 * supabase-js sends on the wire (auth-js and postgrest-js are the reference):
 *
 * - sign-in: `POST /auth/v1/token?grant_type=password` `{email, password, gotrue_meta_security: {}}`;
 * - refresh: `POST /auth/v1/token?grant_type=refresh_token` `{refresh_token}`, when the access token
 *   expires within 90 s (auth-js' EXPIRY_MARGIN_MS) at the time of a request, and after a 401;
 * - inserts: `POST /rest/v1/<table>?on_conflict=<cols>&columns="a","b"` with
 *   `Prefer: resolution=ignore-duplicates,return=minimal`;
 * - rpc: `POST /rest/v1/rpc/<fn>`.
 *
 * Every request carries `apikey: <key>` and `Authorization: Bearer <access token>` (the key itself
 * for Auth). The session is kept in `<dataDir>/session.json` in the format auth-js used
 * (`{"vibe-agent-auth": "<session JSON>"}`), so a session stored by an older agent keeps working and
 * rotated refresh tokens survive restarts. No timers: nothing runs between requests.
 */
import path from 'node:path';
import type { AgentSettings } from '../config/settings.ts';
import type { InsertError } from './classify.ts';
import { fileSessionStorage, type SessionStorage } from './session-store.ts';

/** The key the session is stored under (auth-js' `storageKey` before). */
export const SESSION_KEY = 'vibe-agent-auth';
/** Refresh when the access token expires within this margin (auth-js: 3 ticks of 30 s). */
export const EXPIRY_MARGIN_MS = 90_000;

/** A GoTrue session as the token endpoint answers it (plus `expires_at` when it did not). */
export interface Session {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
  /** Unix seconds. */
  expires_at: number;
  user?: unknown;
  [k: string]: unknown;
}

/** A failed Auth or REST request: the HTTP status (0: no response), the server's code and message. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string | null;
  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
  }
  toInsertError(): InsertError {
    return { status: this.status, code: this.code, message: this.message };
  }
}

/** What the client needs from the settings. */
export type ClientSettings = Pick<AgentSettings, 'url' | 'key' | 'dataDir'>;

function pickMessage(body: Record<string, unknown>): string | null {
  for (const k of ['msg', 'message', 'error_description', 'error']) {
    const v = body[k];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/** The message of a fetch that got no response (the cause says why: refused, reset, DNS…). */
function networkMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } } | null;
  const cause = e?.cause?.message ?? e?.cause?.code;
  const msg = e?.message ?? String(err);
  return cause && !msg.includes(cause) ? `${msg}: ${cause}` : msg;
}

/** Reads an error answer: PostgREST `{code, message, details, hint}`, GoTrue `{code|error_code, msg|message|error_description}`, or text. */
async function errorOf(res: Response): Promise<RequestError> {
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON
  }
  if (!body) return new RequestError(res.status, null, text.trim() || res.statusText || `HTTP ${res.status}`);
  const code = typeof body.code === 'string' ? body.code : typeof body.error_code === 'string' ? body.error_code : null;
  const parts = [pickMessage(body), body.details, body.hint].filter(
    (s): s is string => typeof s === 'string' && s.trim() !== '',
  );
  return new RequestError(res.status, code, parts.join(' ') || text.trim() || `HTTP ${res.status}`);
}

/** The agent's client: its own Auth user, session kept on disk. */
export class AgentClient {
  readonly #base: string;
  readonly #key: string;
  readonly #storage: SessionStorage;
  readonly #fetch: typeof fetch;
  #session: Session | null | undefined;
  #refreshing: Promise<Session> | null = null;

  constructor(settings: ClientSettings, options: { fetch?: typeof fetch; storage?: SessionStorage } = {}) {
    this.#base = settings.url.replace(/\/+$/, '');
    this.#key = settings.key;
    this.#storage = options.storage ?? fileSessionStorage(path.join(settings.dataDir, 'session.json'));
    this.#fetch = options.fetch ?? fetch;
  }

  /** The stored session, or null (a file that cannot be read or parsed counts as none). */
  get session(): Session | null {
    if (this.#session === undefined) {
      try {
        const raw = this.#storage.getItem(SESSION_KEY);
        const s = raw ? (JSON.parse(raw) as Session) : null;
        this.#session = s && typeof s.access_token === 'string' && typeof s.refresh_token === 'string' ? s : null;
      } catch {
        this.#session = null;
      }
    }
    return this.#session;
  }

  #save(session: Session | null): void {
    this.#session = session;
    if (session) this.#storage.setItem(SESSION_KEY, JSON.stringify(session));
    else this.#storage.removeItem(SESSION_KEY);
  }

  // One request; a network failure becomes RequestError(0).
  async #post(url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
    try {
      return await this.#fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
      throw new RequestError(0, null, networkMessage(err));
    }
  }

  async #token(grant: 'password' | 'refresh_token', body: Record<string, unknown>): Promise<Session> {
    const res = await this.#post(
      `${this.#base}/auth/v1/token?grant_type=${grant}`,
      {
        'Content-Type': 'application/json;charset=UTF-8',
        apikey: this.#key,
        Authorization: `Bearer ${this.#key}`,
        'X-Client-Info': 'vibe-agent',
        'X-Supabase-Api-Version': '2024-01-01',
      },
      body,
    );
    if (!res.ok) throw await errorOf(res);
    const data = (await res.json().catch(() => null)) as Partial<Session> | null;
    if (!data || typeof data.access_token !== 'string' || typeof data.refresh_token !== 'string')
      throw new RequestError(res.status, null, 'The Auth server answered without a session');
    const session = { ...data } as Session;
    if (!data.expires_at) session.expires_at = Math.round(Date.now() / 1000) + Number(data.expires_in ?? 3600);
    this.#save(session);
    return session;
  }

  /** Signs in with the agent user's password; throws RequestError (e.g. 400 invalid_credentials). */
  signIn(email: string, password: string): Promise<Session> {
    return this.#token('password', { email, password, gotrue_meta_security: {} });
  }

  /**
   * Exchanges the stored refresh token for a new session (one at a time). A refusal (4xx: revoked,
   * already used, user gone) forgets the session; a network or server failure keeps it for later.
   */
  refresh(): Promise<Session> {
    this.#refreshing ??= (async () => {
      const current = this.session;
      if (!current) throw new RequestError(401, null, 'No session: the agent must sign in');
      try {
        return await this.#token('refresh_token', { refresh_token: current.refresh_token });
      } catch (err) {
        const e = err as RequestError;
        if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) this.#save(null);
        throw err;
      }
    })().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** A valid access token: the stored one, refreshed first when it expires within the margin. */
  async accessToken(): Promise<string> {
    const s = this.session;
    if (!s) throw new RequestError(401, null, 'No session: the agent must sign in');
    if (s.expires_at * 1000 - Date.now() > EXPIRY_MARGIN_MS) return s.access_token;
    try {
      return (await this.refresh()).access_token;
    } catch (err) {
      const e = err as RequestError;
      // Refused (not a network or server failure): the request needs a new sign-in, like a 401.
      if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429)
        throw new RequestError(401, e.code, `Cannot refresh the session: ${e.message}`);
      throw err;
    }
  }

  // A PostgREST POST with the user's token; resolves null on success, the error otherwise.
  async #rest(pathAndQuery: string, body: unknown, prefer?: string): Promise<InsertError | null> {
    try {
      const token = await this.accessToken();
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Profile': 'public',
        apikey: this.#key,
        Authorization: `Bearer ${token}`,
        'X-Client-Info': 'vibe-agent',
      };
      if (prefer) headers.Prefer = prefer;
      const res = await this.#post(`${this.#base}/rest/v1/${pathAndQuery}`, headers, body);
      if (res.ok) {
        await res.body?.cancel();
        return null;
      }
      return (await errorOf(res)).toInsertError();
    } catch (err) {
      if (err instanceof RequestError) return err.toInsertError();
      return { status: 0, code: null, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Inserts `rows`, ignoring rows whose `onConflict` key is already present (an idempotent replay). */
  upsert(table: string, rows: Record<string, unknown>[], onConflict: string): Promise<InsertError | null> {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].map((c) => `"${c}"`).join(',');
    const query = new URLSearchParams({ on_conflict: onConflict });
    if (columns) query.set('columns', columns);
    return this.#rest(
      `${encodeURIComponent(table)}?${query.toString()}`,
      rows,
      'resolution=ignore-duplicates,return=minimal',
    );
  }

  /** Calls a database function with named arguments. */
  rpc(fn: string, args: Record<string, unknown>): Promise<InsertError | null> {
    return this.#rest(`rpc/${encodeURIComponent(fn)}`, args);
  }
}

/** Creates the client for `settings`; the session lives in `<dataDir>/session.json`. */
export function createAgentClient(settings: ClientSettings): AgentClient {
  return new AgentClient(settings);
}

/** Makes sure the client has a session: the stored one (refreshed on use), or a new password sign-in. */
export async function ensureSession(
  client: AgentClient,
  settings: Pick<AgentSettings, 'email' | 'password'>,
): Promise<void> {
  if (client.session) return;
  await signIn(client, settings);
}

async function signIn(client: AgentClient, settings: Pick<AgentSettings, 'email' | 'password'>): Promise<void> {
  try {
    await client.signIn(settings.email, settings.password);
  } catch (err) {
    throw new Error(`Cannot sign in as the agent user ${settings.email}: ${(err as Error).message}`);
  }
}

/**
 * After a 401: a fresh access token from the refresh token, or, when that is refused (or there is
 * no session), a new password sign-in. A network failure during the refresh is passed on (retry later).
 */
export async function renewSession(
  client: AgentClient,
  settings: Pick<AgentSettings, 'email' | 'password'>,
): Promise<void> {
  if (client.session) {
    try {
      await client.refresh();
      return;
    } catch (err) {
      const status = (err as RequestError).status ?? 0;
      if (status === 0 || status >= 500 || status === 408 || status === 429) throw err;
    }
  }
  await signIn(client, settings);
}

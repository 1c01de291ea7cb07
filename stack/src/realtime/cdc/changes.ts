/** postgres_changes: bindings of joined channels, matched against the WAL stream and checked by RLS per subscriber. */
import type pg from 'pg';
import { encodeText, type Vsn } from '../serializer.ts';
import type { RealtimeClaims } from '../token.ts';
import { Catalog, type TableMeta } from './catalog.ts';
import { compareKind, parseSubscriptionParams, testFilter, type SubscriptionParams } from './filters.ts';
import { buildChangeData, errorData, type ChangeData, type Row } from './records.ts';
import { ReplicationStream, type Change, type Transaction } from './stream.ts';
import { NEEDS_SQL, textToJson } from './values.ts';

export const PUBLICATION = 'supabase_realtime';

/** A joined channel that asked for postgres_changes. */
export interface ChangesChannel {
  readonly vsn: Vsn;
  readonly joinTopic: string;
  send(frame: string | Buffer): void;
}

interface Binding {
  id: number;
  params: SubscriptionParams;
  relids: Set<number>;
}

interface Registration {
  bindings: Binding[];
  claims: RealtimeClaims;
}

/** A stable id per binding, like the `:erlang.phash2(params)` the hosted server echoes (0 … 2^27-1). */
export function bindingId(params: Record<string, unknown>): number {
  const text = JSON.stringify(params, Object.keys(params).sort());
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % 2 ** 27;
}

function describe(p: SubscriptionParams): string {
  const filters = p.filters.map((f) => `{"${f.column}", "${f.op}", "${f.value}", ${f.negate}}`).join(', ');
  return `event: ${p.action}, schema: ${p.schema}, table: ${p.table}, filters: [${filters}], select: ${p.select ? JSON.stringify(p.select) : 'nil'}`;
}

/** Runs the replication stream on first use and dispatches its changes to subscribed channels. */
export class PostgresChanges {
  private readonly pool: pg.Pool;
  private readonly dbUrl: string;
  private readonly catalog: Catalog;
  private readonly registrations = new Map<ChangesChannel, Registration>();
  private stream: ReplicationStream | null = null;
  private ready: Promise<void> | null = null;
  /** The last transaction known to be visible to new snapshots. */
  private visibleXid = -1;

  constructor(pool: pg.Pool, dbUrl: string) {
    this.pool = pool;
    this.dbUrl = dbUrl;
    this.catalog = new Catalog(pool);
  }

  /** Validates and registers a channel's bindings; resolves with the error message Realtime would push, or null. */
  async subscribe(
    channel: ChangesChannel,
    raw: Record<string, unknown>[],
    claims: RealtimeClaims,
  ): Promise<string | null> {
    const bindings: Binding[] = [];
    for (const params of raw) {
      const parsed = parseSubscriptionParams(params);
      if ('error' in parsed) return parsed.error;
      let tables: { relid: number; schema: string; table: string }[];
      try {
        tables = await this.catalog.publicationTables(PUBLICATION, parsed.schema, parsed.table);
      } catch (err) {
        return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${describe(parsed)}]. Exception: ${(err as Error).message}`;
      }
      if (tables.length === 0) {
        return `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${describe(parsed)}]`;
      }
      for (const t of tables) {
        const meta = await this.catalog.table(t.relid);
        const missing = parsed.filters.find((f) => !meta?.byName.has(f.column));
        if (missing) {
          return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${describe(parsed)}]. Exception: invalid column for filter ${missing.column}`;
        }
      }
      bindings.push({ id: bindingId(params), params: parsed, relids: new Set(tables.map((t) => t.relid)) });
    }
    try {
      await this.ensureStream();
    } catch (err) {
      return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${bindings.map((b) => describe(b.params)).join('; ')}]. Exception: ${(err as Error).message}`;
    }
    this.registrations.set(channel, { bindings, claims });
    return null;
  }

  /** A new access token: later changes are checked with its claims. */
  updateClaims(channel: ChangesChannel, claims: RealtimeClaims): void {
    const reg = this.registrations.get(channel);
    if (reg) reg.claims = claims;
  }

  unsubscribe(channel: ChangesChannel): void {
    this.registrations.delete(channel);
  }

  private ensureStream(): Promise<void> {
    if (!this.ready) {
      const stream = new ReplicationStream({
        dbUrl: this.dbUrl,
        publication: PUBLICATION,
        onTransaction: (tx) => this.dispatch(tx),
        onRelation: (rel) => this.catalog.invalidate(rel.relid),
        wants: (relid) => {
          for (const reg of this.registrations.values()) if (reg.bindings.some((b) => b.relids.has(relid))) return true;
          return false;
        },
      });
      this.stream = stream;
      this.ready = stream.start().catch((err: unknown) => {
        this.ready = null;
        this.stream = null;
        void stream.stop();
        throw err;
      });
    }
    return this.ready;
  }

  private async dispatch(tx: Transaction): Promise<void> {
    for (const change of tx.changes) {
      if (this.registrations.size === 0) return;
      await this.dispatchChange(tx.commitTime, tx.xid, change);
    }
  }

  private async dispatchChange(commitTime: Date, xid: number, change: Change): Promise<void> {
    const rel = change.relation;
    const interested: [ChangesChannel, Registration, Binding[]][] = [];
    for (const [channel, reg] of this.registrations) {
      const hits = reg.bindings.filter(
        (b) => b.relids.has(rel.relid) && (b.params.action === '*' || b.params.action === change.kind),
      );
      if (hits.length) interested.push([channel, reg, hits]);
    }
    if (interested.length === 0) return;
    const meta = await this.catalog.table(rel.relid);
    if (!meta) return;
    const texts = (tuple: Change['newTuple'], keysOnly: boolean) => {
      if (!tuple) return null;
      const m = new Map<string, string | null | undefined>();
      rel.columns.forEach((c, i) => {
        if (keysOnly && !c.key) return;
        const v = tuple[i];
        m.set(c.name, v === undefined || (v !== null && typeof v === 'object') ? undefined : v);
      });
      return m;
    };
    const newText = texts(change.newTuple, false);
    // without an old tuple (the default for UPDATE), the identity is the key part of the new row, as wal2json reports it
    const oldText = change.oldTuple
      ? texts(change.oldTuple, rel.replicaIdentity !== 'f')
      : change.kind === 'UPDATE'
        ? texts(change.newTuple, true)
        : null;
    const record = newText ? await this.toRow(newText, meta) : null;
    const old = oldText ? await this.toRow(oldText, meta) : null;
    const visibility = new Map<string, Promise<boolean>>();
    for (const [channel, reg, hits] of interested) {
      const matched = hits.filter((b) =>
        b.params.filters.every((f) => {
          const kind = compareKind(meta.byName.get(f.column)?.typname ?? 'text');
          const inNew = newText ? testFilterOn(newText, f, kind) : false;
          return inNew || (change.kind === 'DELETE' && oldText ? testFilterOn(oldText, f, kind) : false);
        }),
      );
      if (matched.length === 0) continue;
      const role = reg.claims.role;
      const selectable = await this.catalog.selectableColumns(role, rel.relid);
      const groups = new Map<string, Binding[]>();
      for (const b of matched) {
        const key = JSON.stringify(b.params.select);
        groups.set(key, [...(groups.get(key) ?? []), b]);
      }
      let error: string | null = null;
      if (change.kind !== 'DELETE' && meta.pk.length === 0) error = 'Error 400: Bad Request, no primary key';
      else if (change.kind !== 'DELETE' && meta.pk.some((c) => !selectable.has(c))) error = 'Error 401: Unauthorized';
      if (!error && meta.rowSecurity && change.kind !== 'DELETE' && newText) {
        const claimsKey = JSON.stringify(reg.claims);
        let visible = visibility.get(claimsKey);
        if (!visible) visibility.set(claimsKey, (visible = this.visibleTo(reg.claims, meta, newText, xid)));
        if (!(await visible)) continue;
      }
      for (const group of groups.values()) {
        const data: ChangeData = error
          ? errorData(rel.schema, rel.table, change.kind, error)
          : buildChangeData({
              schema: rel.schema,
              table: rel.table,
              commitTime,
              type: change.kind,
              meta,
              record,
              old,
              selectable,
              select: group[0]!.params.select,
            });
        const ids = group.map((b) => b.id);
        channel.send(
          encodeText(channel.vsn, {
            joinRef: null,
            ref: null,
            topic: channel.joinTopic,
            event: 'postgres_changes',
            payload: { ids, data },
          }),
        );
      }
    }
  }

  /** Typed JSON for a row's text values; types JavaScript cannot render exactly go through Postgres in one query. */
  private async toRow(texts: Map<string, string | null | undefined>, meta: TableMeta): Promise<Row> {
    const row: Row = new Map();
    const viaSql: { name: string; text: string; sqlType: string }[] = [];
    for (const [name, text] of texts) {
      const attr = meta.byName.get(name);
      if (text === undefined) row.set(name, undefined);
      else if (text === null) row.set(name, null);
      else if (!attr) row.set(name, text);
      else {
        const v = textToJson(text, attr);
        if (v === NEEDS_SQL) viaSql.push({ name, text, sqlType: attr.sqlType });
        row.set(name, v);
      }
    }
    if (viaSql.length) {
      const sql = `select ${viaSql.map((v, i) => `to_jsonb($${i + 1}::text::${v.sqlType}) as c${i}`).join(', ')}`;
      const res = await this.pool.query<Record<string, unknown>>(
        sql,
        viaSql.map((v) => v.text),
      );
      viaSql.forEach((v, i) => {
        row.set(v.name, res.rows[0]![`c${i}`]);
      });
    }
    return row;
  }

  /**
   * Whether the row, as it is in the table now, is visible to these claims: looked up by primary key under
   * the role, as walrus does. The commit record can be decoded a moment before the committing session
   * makes the transaction visible to others, so the lookup waits until it is no longer "in progress".
   */
  private async visibleTo(
    claims: RealtimeClaims,
    meta: TableMeta,
    row: Map<string, string | null | undefined>,
    xid: number,
  ): Promise<boolean> {
    if (this.visibleXid !== xid) {
      await this.waitForCommit(xid);
      this.visibleXid = xid;
    }
    return this.lookUp(claims, meta, row);
  }

  /** Waits (up to 2 s) while the transaction is still in progress. */
  private async waitForCommit(xid: number): Promise<void> {
    // widen the 32-bit xid to an xid8 using the epoch of the current snapshot, without taking an xid ourselves
    const status = async () =>
      (
        await this.pool.query<{ s: string | null }>(
          `select pg_xact_status(((case when $1::bigint <= (x & 4294967295) then x >> 32 else (x >> 32) - 1 end) << 32 | $1::bigint)::text::xid8) as s
             from (select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as x) cur`,
          [xid],
        )
      ).rows[0]?.s;
    for (const end = Date.now() + 2000; Date.now() < end && (await status()) === 'in progress'; ) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  private async lookUp(
    claims: RealtimeClaims,
    meta: TableMeta,
    row: Map<string, string | null | undefined>,
  ): Promise<boolean> {
    const conds = meta.pk
      .map((c, i) => `${quoteIdent(c)} = $${i + 1}::text::${meta.byName.get(c)!.sqlType}`)
      .join(' and ');
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
        claims.role,
        JSON.stringify(claims),
      ]);
      const res = await client.query<{ visible: boolean }>(
        `select exists(select 1 from ${meta.qualified} where ${conds}) as visible`,
        meta.pk.map((c) => row.get(c) ?? null),
      );
      return res.rows[0]?.visible === true;
    } catch {
      return false;
    } finally {
      await client.query('rollback').catch(() => {});
      client.release();
    }
  }

  async stop(): Promise<void> {
    this.registrations.clear();
    await this.stream?.stop();
    this.stream = null;
    this.ready = null;
  }
}

function testFilterOn(
  texts: Map<string, string | null | undefined>,
  f: Parameters<typeof testFilter>[0],
  kind: ReturnType<typeof compareKind>,
): boolean {
  if (!texts.has(f.column)) return false;
  const v = texts.get(f.column);
  return v === undefined ? false : testFilter(f, v, kind);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

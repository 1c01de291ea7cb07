/** What postgres_changes needs to know about a published table, read from the catalog and cached briefly. */
import type pg from 'pg';
import type { TypeInfo } from './values.ts';

export interface Attribute extends TypeInfo {
  name: string;
}

export interface TableMeta {
  relid: number;
  /** Schema-qualified, quoted as needed: usable in SQL. */
  qualified: string;
  rowSecurity: boolean;
  /** Primary key column names, in key order (empty when the table has none). */
  pk: string[];
  /** Live columns in attnum order. */
  attributes: Attribute[];
  byName: Map<string, Attribute>;
}

/** RLS can be switched on without a new relation message, so metadata is re-read after this long. */
const TTL_MS = 3000;

/** Caches table metadata and per-role column privileges. */
export class Catalog {
  private readonly pool: pg.Pool;
  private readonly tables = new Map<number, { at: number; meta: Promise<TableMeta | null> }>();
  private readonly selectable = new Map<string, { at: number; cols: Promise<Set<string>> }>();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Forgets a table after its definition changed (a relation message arrived). */
  invalidate(relid: number): void {
    this.tables.delete(relid);
    for (const k of this.selectable.keys()) if (k.endsWith(`:${relid}`)) this.selectable.delete(k);
  }

  table(relid: number): Promise<TableMeta | null> {
    const hit = this.tables.get(relid);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.meta;
    const meta = this.loadTable(relid);
    this.tables.set(relid, { at: Date.now(), meta });
    meta.catch(() => this.tables.delete(relid));
    return meta;
  }

  private async loadTable(relid: number): Promise<TableMeta | null> {
    const res = await this.pool.query<{
      qualified: string;
      rowsecurity: boolean;
      pk: string[];
      attrs: Attribute[] | null;
    }>(
      `select format('%I.%I', (select nspname from pg_namespace where oid = c.relnamespace), c.relname) as qualified, c.relrowsecurity as rowsecurity,
              coalesce((select array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum))
                          from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                         where i.indrelid = c.oid and i.indisprimary), '{}') as pk,
              (select json_agg(json_build_object('name', a.attname, 'oid', t.oid, 'typname', t.typname,
                                                 'category', t.typcategory, 'sqlType', format_type(a.atttypid, null))
                               order by a.attnum)
                 from pg_attribute a join pg_type t on t.oid = a.atttypid
                where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as attrs
         from pg_class c where c.oid = $1`,
      [relid],
    );
    const row = res.rows[0];
    if (!row) return null;
    const attributes = row.attrs ?? [];
    return {
      relid,
      qualified: row.qualified,
      rowSecurity: row.rowsecurity,
      pk: row.pk,
      attributes,
      byName: new Map(attributes.map((a) => [a.name, a])),
    };
  }

  /** Columns of the table the role may SELECT (empty if the role does not exist). */
  selectableColumns(role: string, relid: number): Promise<Set<string>> {
    const key = `${role}:${relid}`;
    const hit = this.selectable.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.cols;
    const cols = this.pool
      .query<{ attname: string }>(
        `select attname::text as attname from pg_attribute
          where attrelid = $2 and attnum > 0 and not attisdropped and has_column_privilege($1, $2::oid, attnum, 'SELECT')`,
        [role, relid],
      )
      .then((r) => new Set(r.rows.map((x) => x.attname)))
      .catch(() => new Set<string>());
    this.selectable.set(key, { at: Date.now(), cols });
    return cols;
  }

  /** Tables of a publication matching a binding's schema/table (`*` = any), as Realtime matches them (LIKE). */
  async publicationTables(
    publication: string,
    schema: string,
    table: string,
  ): Promise<{ relid: number; schema: string; table: string }[]> {
    const res = await this.pool.query<{ relid: number; schemaname: string; tablename: string }>(
      `select format('%I.%I', schemaname, tablename)::regclass::oid as relid, schemaname, tablename
         from pg_publication_tables
        where pubname = $1
          and schemaname like (case $2 when '*' then '%' else $2 end) escape ''
          and tablename like (case $3 when '*' then '%' else $3 end) escape ''`,
      [publication, schema, table],
    );
    return res.rows.map((r) => ({ relid: Number(r.relid), schema: r.schemaname, table: r.tablename }));
  }
}

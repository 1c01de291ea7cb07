/** The schema cache: tables, columns, foreign keys, functions and switchable roles read from pg_catalog, reloaded on a miss. */
import type pg from 'pg';

/** A column as the schema cache knows it. */
export interface Column {
  name: string;
  /** `format_type()` output, safe to splice into SQL because it comes from the catalog. */
  type: string;
  /** `typcategory` (`N` numeric, `S` string, `A` array, `U` user/json…). */
  category: string;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
}

/** A table, view or materialized view. */
export interface Table {
  schema: string;
  name: string;
  kind: string;
  columns: Map<string, Column>;
  columnList: Column[];
  pk: string[];
  /** Column sets with a unique index (including the primary key). */
  uniques: string[][];
  /** Column sets of primary key and unique constraints (what makes a foreign key one-to-one for PostgREST). */
  constraintUniques: string[][];
}

/** A foreign key between two relations of the same exposed schema. */
export interface ForeignKey {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

/** A function callable through /rpc. */
export interface Func {
  schema: string;
  name: string;
  /** Input arguments in order (`in`, `inout`, `variadic`). */
  args: { name: string; type: string; hasDefault: boolean }[];
  returnType: string;
  /** The table or view whose row type the function returns (same schema), for computed relationships. */
  returnTable: string | null;
  returnsSet: boolean;
  /** Output columns when the function returns rows (a table type, `returns table`, out parameters). */
  outColumns: Column[] | null;
  isVoid: boolean;
  volatility: 'i' | 's' | 'v';
}

/** PostgREST settings that change what a request may do; read with the cache (`notify pgrst, 'reload config'`). */
export interface RestSettings {
  /** `db-aggregates-enabled`: `sum()`, `count()`… in `select` (off by default, as in PostgREST and on hosted Supabase). */
  aggregates: boolean;
  /** `db-plan-enabled`: `Accept: application/vnd.pgrst.plan` returns the EXPLAIN output (off by default, as hosted). */
  plan: boolean;
}

/** Everything known about the exposed schemas. */
export interface SchemaCache {
  settings: RestSettings;
  tables: Map<string, Table>;
  foreignKeys: ForeignKey[];
  functions: Map<string, Func[]>;
  /** Roles the API may switch to: members of `authenticator`, as PostgREST's connection role allows. */
  roles: Set<string>;
  /** Every role name, to tell "does not exist" from "not allowed". */
  knownRoles: Set<string>;
  /** `alter role … set` settings per role, applied per request as PostgREST does. */
  roleSettings: Map<string, [string, string][]>;
}

/** Key of a table or function in the cache maps. */
export function cacheKey(schema: string, name: string): string {
  return `${schema}\u0001${name}`;
}

const TABLES_SQL = `
select n.nspname as schema, c.relname as name, c.relkind as kind,
  coalesce(json_agg(json_build_object(
    'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'category', t.typcategory,
    'nullable', not a.attnotnull, 'hasDefault', a.atthasdef or a.attidentity <> '', 'generated', a.attgenerated <> ''
  ) order by a.attnum) filter (where a.attnum is not null), '[]') as columns,
  (select coalesce(json_agg(array_to_json(array(
      select att.attname from unnest(i.indkey) with ordinality k(attnum, ord)
      join pg_attribute att on att.attrelid = i.indrelid and att.attnum = k.attnum order by k.ord)) order by not i.indisprimary), '[]')
    from pg_index i where i.indrelid = c.oid and i.indisunique and i.indpred is null and i.indexprs is null) as uniques,
  (select coalesce(json_agg(array_to_json(array(
      select att.attname from unnest(k.conkey) u(attnum) join pg_attribute att on att.attrelid = k.conrelid and att.attnum = u.attnum))), '[]')
    from pg_constraint k where k.conrelid = c.oid and k.contype in ('p', 'u')) as constraint_uniques,
  -- coalesce outside the subquery: a relation without a primary key (views, keyless tables) has no pg_index row at all.
  coalesce((select array_to_json(array(
      select att.attname from unnest(i.indkey) with ordinality k(attnum, ord)
      join pg_attribute att on att.attrelid = i.indrelid and att.attnum = k.attnum order by k.ord))
    from pg_index i where i.indrelid = c.oid and i.indisprimary), '[]') as pk
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
left join pg_type t on t.oid = a.atttypid
where n.nspname = any($1) and c.relkind in ('r', 'v', 'm', 'f', 'p')
group by n.nspname, c.relname, c.relkind, c.oid`;

// Foreign keys of the exposed schemas, and those of relations that views of the exposed schemas read (traced through
// the views below); the view dependencies are collected once, not per key.
const FKS_SQL = `
with view_sources as (
  select distinct d.refobjid as oid
  from pg_depend d
  join pg_rewrite rw on rw.oid = d.objid
  join pg_class vc on vc.oid = rw.ev_class
  join pg_namespace vcn on vcn.oid = vc.relnamespace
  where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass and vcn.nspname = any($1))
select con.conname as name, n.nspname as schema, c.relname as table, rn.nspname as ref_schema, r.relname as ref_table,
  array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord) as columns,
  array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord) as ref_columns
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_class r on r.oid = con.confrelid
join pg_namespace rn on rn.oid = r.relnamespace
where con.contype = 'f' and (n.nspname = any($1) or rn.nspname = any($1)
  or con.conrelid in (select oid from view_sources) or con.confrelid in (select oid from view_sources))`;

// Where each view column comes from: the top-level target entries of the view's query carry the source relation and
// column of plain column references (resorigtbl/resorigcol), as PostgREST reads them to trace keys through views.
// Subqueries print before the top-level target list, so the last entry per name is the view's own.
const VIEW_COLUMNS_SQL = `
select vn.nspname as schema, v.relname as view, m.e[1] as col, bn.nspname as base_schema, b.relname as base, ba.attname as base_col, m.ord
from pg_class v
join pg_namespace vn on vn.oid = v.relnamespace
join pg_rewrite r on r.ev_class = v.oid and r.rulename = '_RETURN'
cross join lateral regexp_matches(r.ev_action::text, ':resname (\\S+) :ressortgroupref \\d+ :resorigtbl (\\d+) :resorigcol (\\d+)', 'g') with ordinality as m(e, ord)
join pg_class b on b.oid = m.e[2]::oid
join pg_namespace bn on bn.oid = b.relnamespace
join pg_attribute ba on ba.attrelid = b.oid and ba.attnum = m.e[3]::int2
where v.relkind in ('v', 'm') and vn.nspname = any($1)
order by m.ord`;

const FUNCS_SQL = `
select n.nspname as schema, p.proname as name, p.proretset as returns_set, p.provolatile as volatility,
  format_type(p.prorettype, null) as return_type, rt.typtype as return_typtype, rt.typrelid as return_relid,
  (select rc.relname from pg_class rc where rc.oid = rt.typrelid and rc.relnamespace = p.pronamespace and rc.relkind in ('r', 'v', 'm', 'f', 'p')) as return_table,
  p.pronargs as nargs, p.pronargdefaults as ndefaults,
  coalesce(p.proargnames, '{}') as arg_names,
  coalesce(array(select format_type(x, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(x, o) order by o), '{}') as arg_types,
  coalesce(p.proargmodes::text[], '{}') as arg_modes,
  coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'category', t.typcategory, 'nullable', true, 'hasDefault', false, 'generated', false) order by a.attnum)
    from pg_attribute a join pg_type t on t.oid = a.atttypid
    where a.attrelid = rt.typrelid and a.attnum > 0 and not a.attisdropped), '[]') as rel_columns
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_type rt on rt.oid = p.prorettype
where n.nspname = any($1) and p.prokind = 'f'`;

const ROLES_SQL = `
select r.rolname as name, pg_has_role('authenticator', r.oid, 'member') and r.rolname <> 'authenticator' as allowed,
  coalesce((select s.setconfig from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0), '{}') as settings
from pg_roles r`;

interface FuncRow {
  schema: string;
  name: string;
  returns_set: boolean;
  volatility: 'i' | 's' | 'v';
  return_type: string;
  return_typtype: string;
  return_relid: number;
  return_table: string | null;
  nargs: number;
  ndefaults: number;
  arg_names: string[];
  arg_types: string[];
  arg_modes: string[];
  rel_columns: Column[];
}

const SETTING_NAMES: Record<string, keyof RestSettings> = {
  'pgrst.db_aggregates_enabled': 'aggregates',
  'pgrst.db_plan_enabled': 'plan',
};

/**
 * The settings: `defaults` (the `PGRST_DB_AGGREGATES_ENABLED` / `PGRST_DB_PLAN_ENABLED` environment), overridden by
 * PostgREST's in-database configuration (`alter role authenticator set pgrst.db_aggregates_enabled = 'true'`).
 */
function readSettings(defaults: RestSettings, authenticator: string[] | undefined): RestSettings {
  const out = { ...defaults };
  for (const s of authenticator ?? []) {
    const i = s.indexOf('=');
    const key = SETTING_NAMES[s.slice(0, i)];
    if (key)
      out[key] = ['true', 'on', '1', 'yes'].includes(
        s
          .slice(i + 1)
          .trim()
          .toLowerCase(),
      );
  }
  return out;
}

/** Reads the whole cache for the given schemas. */
export async function loadCatalog(
  pool: pg.Pool,
  schemas: readonly string[],
  defaults: RestSettings = { aggregates: false, plan: false },
): Promise<SchemaCache> {
  const list = [...schemas];
  const [tables, fks, funcs, roles, viewCols] = await Promise.all([
    pool.query(TABLES_SQL, [list]),
    pool.query(FKS_SQL, [list]),
    pool.query<FuncRow>(FUNCS_SQL, [list]),
    pool.query<{ name: string; allowed: boolean; settings: string[] }>(ROLES_SQL),
    pool.query<ViewColumnRow>(VIEW_COLUMNS_SQL, [list]),
  ]);
  const cache: SchemaCache = {
    settings: readSettings(defaults, roles.rows.find((r) => r.name === 'authenticator')?.settings),
    tables: new Map(),
    foreignKeys: [],
    functions: new Map(),
    roles: new Set(),
    knownRoles: new Set(),
    roleSettings: new Map(),
  };
  for (const row of tables.rows as {
    schema: string;
    name: string;
    kind: string;
    columns: Column[];
    uniques: string[][];
    constraint_uniques: string[][];
    pk: string[];
  }[]) {
    cache.tables.set(cacheKey(row.schema, row.name), {
      schema: row.schema,
      name: row.name,
      kind: row.kind,
      columnList: row.columns,
      columns: new Map(row.columns.map((col) => [col.name, col])),
      pk: row.pk,
      uniques: row.uniques,
      constraintUniques: row.constraint_uniques,
    });
  }
  const rawFks = fks.rows as {
    name: string;
    schema: string;
    table: string;
    ref_schema: string;
    ref_table: string;
    columns: string[];
    ref_columns: string[];
  }[];
  for (const row of rawFks) {
    if (row.schema !== row.ref_schema || !schemas.includes(row.schema)) continue;
    cache.foreignKeys.push({
      name: row.name,
      schema: row.schema,
      table: row.table,
      columns: row.columns,
      refTable: row.ref_table,
      refColumns: row.ref_columns,
    });
  }
  cache.foreignKeys.push(...viewForeignKeys(rawFks, viewCols.rows));
  for (const row of funcs.rows) {
    const fn = toFunc(row);
    const key = cacheKey(fn.schema, fn.name);
    cache.functions.set(key, [...(cache.functions.get(key) ?? []), fn]);
  }
  // Overloads in PostgREST's order (its Ord instance): fewer parameters first, then parameter names and types.
  for (const list of cache.functions.values()) list.sort(compareOverloads);
  for (const row of roles.rows) {
    cache.knownRoles.add(row.name);
    if (!row.allowed) continue;
    cache.roles.add(row.name);
    cache.roleSettings.set(
      row.name,
      row.settings.map((s) => {
        const i = s.indexOf('=');
        return [s.slice(0, i), s.slice(i + 1)] as [string, string];
      }),
    );
  }
  return cache;
}

interface ViewColumnRow {
  schema: string;
  view: string;
  col: string;
  base_schema: string;
  base: string;
  base_col: string;
}

/**
 * Foreign keys traced through views, as PostgREST's addViewM2OAndO2ORels: a view exposing every key column of a
 * table (or every referenced column) stands in for it, view to table, table to view and view to view, under the
 * constraint's name. Views of views are followed to the base table.
 */
function viewForeignKeys(
  fks: {
    name: string;
    schema: string;
    table: string;
    ref_schema: string;
    ref_table: string;
    columns: string[];
    ref_columns: string[];
  }[],
  rows: ViewColumnRow[],
): ForeignKey[] {
  // view key → column → [schema, table, column] of its direct source; the last entry per name wins (top-level list).
  const direct = new Map<string, Map<string, [string, string, string]>>();
  for (const r of rows) {
    const key = `${r.schema}\u0001${r.view}`;
    const cols = direct.get(key) ?? new Map();
    cols.set(r.col, [r.base_schema, r.base, r.base_col]);
    direct.set(key, cols);
  }
  const origin = (schema: string, rel: string, col: string, depth = 0): [string, string, string] | null => {
    const src = direct.get(`${schema}\u0001${rel}`)?.get(col);
    if (!src) return depth === 0 ? null : [schema, rel, col];
    if (depth > 16) return null;
    return origin(src[0], src[1], src[2], depth + 1) ?? src;
  };
  // For each base relation: the views (schema, name) exposing a column, as base column → view column.
  const exposers = new Map<string, { schema: string; view: string; cols: Map<string, string> }[]>();
  for (const key of direct.keys()) {
    const [schema, view] = key.split('\u0001') as [string, string];
    const byBase = new Map<string, Map<string, string>>();
    for (const col of direct.get(key)!.keys()) {
      const o = origin(schema, view, col);
      if (!o) continue;
      const baseKey = `${o[0]}\u0001${o[1]}`;
      const m = byBase.get(baseKey) ?? new Map<string, string>();
      if (!m.has(o[2])) m.set(o[2], col);
      byBase.set(baseKey, m);
    }
    for (const [baseKey, cols] of byBase)
      exposers.set(baseKey, [...(exposers.get(baseKey) ?? []), { schema, view, cols }]);
  }
  const out: ForeignKey[] = [];
  for (const fk of fks) {
    const from = [{ schema: fk.schema, rel: fk.table, cols: fk.columns, isView: false }];
    for (const e of exposers.get(`${fk.schema}\u0001${fk.table}`) ?? [])
      if (fk.columns.every((c) => e.cols.has(c)))
        from.push({ schema: e.schema, rel: e.view, cols: fk.columns.map((c) => e.cols.get(c)!), isView: true });
    const to = [{ schema: fk.ref_schema, rel: fk.ref_table, cols: fk.ref_columns, isView: false }];
    for (const e of exposers.get(`${fk.ref_schema}\u0001${fk.ref_table}`) ?? [])
      if (fk.ref_columns.every((c) => e.cols.has(c)))
        to.push({ schema: e.schema, rel: e.view, cols: fk.ref_columns.map((c) => e.cols.get(c)!), isView: true });
    for (const f of from)
      for (const t of to) {
        if ((!f.isView && !t.isView) || f.schema !== t.schema) continue;
        out.push({
          name: fk.name,
          schema: f.schema,
          table: f.rel,
          columns: f.cols,
          refTable: t.rel,
          refColumns: t.cols,
        });
      }
  }
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareOverloads(a: Func, b: Func): number {
  if (a.args.length !== b.args.length) return a.args.length - b.args.length;
  for (let i = 0; i < a.args.length; i++) {
    const c = compareText(a.args[i]!.name, b.args[i]!.name) || compareText(a.args[i]!.type, b.args[i]!.type);
    if (c) return c;
  }
  return 0;
}

function toFunc(row: FuncRow): Func {
  const modes = row.arg_modes.length ? row.arg_modes : row.arg_types.map(() => 'i');
  const args: Func['args'] = [];
  const outs: Column[] = [];
  const firstDefault = row.nargs - row.ndefaults;
  let inputIndex = 0;
  modes.forEach((mode, i) => {
    const name = row.arg_names[i] ?? '';
    const type = row.arg_types[i]!;
    if (mode === 'i' || mode === 'b' || mode === 'v') {
      args.push({ name, type, hasDefault: inputIndex >= firstDefault });
      inputIndex++;
    }
    if (mode === 'o' || mode === 'b' || mode === 't')
      outs.push({ name, type, category: '', nullable: true, hasDefault: false, generated: false });
  });
  let outColumns: Column[] | null = null;
  if (row.return_relid && row.return_typtype === 'c') outColumns = row.rel_columns;
  else if (outs.length > 1 || (outs.length === 1 && modes.includes('t'))) outColumns = outs;
  return {
    schema: row.schema,
    name: row.name,
    args,
    returnType: row.return_type,
    returnTable: row.return_table,
    returnsSet: row.returns_set,
    outColumns,
    isVoid: row.return_type === 'void',
    volatility: row.volatility,
  };
}

/** Holds the cache and reloads it when a request names something it does not know (migrations run while the stack is up). */
export class Catalog {
  private current: Promise<SchemaCache> | null = null;
  private loadStartedAt = 0;
  private readonly pool: pg.Pool;
  private readonly schemas: readonly string[];
  private readonly defaults: RestSettings;
  constructor(pool: pg.Pool, schemas: readonly string[], defaults: RestSettings = { aggregates: false, plan: false }) {
    this.pool = pool;
    this.schemas = schemas;
    this.defaults = defaults;
  }

  /** The cache, loading it on first use. */
  get(): Promise<SchemaCache> {
    if (!this.current) this.reload();
    return this.current!;
  }

  /** Starts a reload; later callers share it. */
  reload(): Promise<SchemaCache> {
    this.loadStartedAt = performance.now();
    const next = loadCatalog(this.pool, this.schemas, this.defaults);
    // A failed load must not poison the cache: the next request retries.
    next.catch(() => {
      if (this.current === next) this.current = null;
    });
    this.current = next;
    return next;
  }

  /** A cache at least as new as `since` (a `performance.now()` timestamp taken when the miss was seen). */
  fresh(since: number): Promise<SchemaCache> {
    if (this.current && this.loadStartedAt >= since) return this.current;
    return this.reload();
  }
}

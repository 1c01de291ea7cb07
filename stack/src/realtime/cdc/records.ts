/** Builds the `data` of a postgres_changes message for one role, as walrus' apply_rls shapes it. */
import type { TableMeta } from './catalog.ts';

/** A row's values by column name: typed JSON, or `undefined` for an unchanged TOAST value that was not sent. */
export type Row = Map<string, unknown>;

export interface ChangeData {
  schema: string;
  table: string;
  commit_timestamp: string | null;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  columns: { name: string; type: string }[];
  record?: Record<string, unknown>;
  old_record?: Record<string, unknown>;
  errors: string[] | null;
}

export interface BuildInput {
  schema: string;
  table: string;
  commitTime: Date;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  meta: TableMeta;
  /** New row (INSERT/UPDATE). */
  record: Row | null;
  /** Old identity values (UPDATE/DELETE): the key, or the whole row with REPLICA IDENTITY FULL. */
  old: Row | null;
  /** Columns the subscriber's role may SELECT. */
  selectable: Set<string>;
  /** The binding's `select` list; null = every column. */
  select: string[] | null;
}

/** Realtime's max_record_bytes: bigger records keep only small values and say so. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** The message for errors decided before looking at values (no primary key, no privilege): no columns, empty records. */
export function errorData(schema: string, table: string, type: ChangeData['type'], error: string): ChangeData {
  const data: ChangeData = { schema, table, commit_timestamp: null, type, columns: [], errors: [error] };
  if (type !== 'DELETE') data.record = {};
  if (type !== 'INSERT') data.old_record = {};
  return data;
}

/** Builds the change data; DELETE on an RLS table keeps only the primary key, since it cannot be checked. */
export function buildChangeData(input: BuildInput): ChangeData {
  const { meta, selectable, select } = input;
  const pk = new Set(meta.pk);
  const wanted = (name: string) => selectable.has(name) && (select === null || select.includes(name) || pk.has(name));
  const columns = meta.attributes.filter((a) => wanted(a.name)).map((a) => ({ name: a.name, type: a.typname }));
  const tooBig = estimateBytes(input.record) + estimateBytes(input.old) > MAX_RECORD_BYTES;
  const pick = (row: Row, only?: (name: string) => boolean) => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of row) {
      if (value === undefined || !wanted(name) || (only && !only(name))) continue;
      if (tooBig && JSON.stringify(value).length > 64) continue;
      out[name] = value;
    }
    return out;
  };
  const data: ChangeData = {
    schema: input.schema,
    table: input.table,
    commit_timestamp: input.commitTime.toISOString(),
    type: input.type,
    columns,
    errors: tooBig ? ['Error 413: Payload Too Large'] : null,
  };
  if (input.type !== 'DELETE' && input.record) {
    // unchanged TOAST values come from the old row when the old row has them (REPLICA IDENTITY FULL)
    const merged: Row = new Map(input.record);
    for (const [k, v] of merged) if (v === undefined && input.old?.has(k)) merged.set(k, input.old.get(k));
    data.record = pick(merged);
  }
  if (input.type !== 'INSERT') {
    const old = input.old ?? new Map<string, unknown>();
    data.old_record = input.type === 'DELETE' && meta.rowSecurity ? pick(old, (n) => pk.has(n)) : pick(old);
  }
  return data;
}

function estimateBytes(row: Row | null): number {
  if (!row) return 0;
  let n = 0;
  for (const v of row.values()) n += v === undefined ? 0 : JSON.stringify(v).length;
  return n;
}

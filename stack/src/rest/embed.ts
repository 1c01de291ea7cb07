/** Finds the foreign-key relationship behind an embedded resource, as PostgREST does (by table, constraint or column name, with `!hint`). */
import type { ForeignKey, SchemaCache, Table } from './catalog.ts';
import { cacheKey } from './catalog.ts';
import { CacheMissError, RestError } from './errors.ts';

/** How an embedded resource joins to its parent. */
export interface Relationship {
  fk: ForeignKey;
  /**
   * `m2o`: the parent holds the key (embed is an object); `o2m`: the embed holds it (an array, or an object when the key is unique);
   * `m2m`: a junction table holds keys to both (`fk` to the parent, `junctionFk` to the embed).
   */
  direction: 'm2o' | 'o2m' | 'm2m';
  junctionFk?: ForeignKey;
  toOne: boolean;
  target: Table;
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Resolves `name[!hint]` embedded under `parent`; throws PGRST200 (none) or PGRST201 (ambiguous). */
export function findRelationship(
  cache: SchemaCache,
  parent: Table,
  name: string,
  hint: string | undefined,
): Relationship {
  const candidates: Relationship[] = [];
  const table = (n: string) => cache.tables.get(cacheKey(parent.schema, n));
  for (const fk of cache.foreignKeys) {
    if (fk.schema !== parent.schema) continue;
    if (fk.table === parent.name) {
      const byName = fk.refTable === name || fk.name === name || (fk.columns.length === 1 && fk.columns[0] === name);
      const byHint =
        !hint || fk.name === hint || (fk.columns.length === 1 && fk.columns[0] === hint) || fk.refTable === hint;
      const target = table(fk.refTable);
      if (byName && byHint && target) candidates.push({ fk, direction: 'm2o', toOne: true, target });
    }
    if (fk.refTable === parent.name) {
      const byName = fk.table === name || fk.name === name;
      const byHint =
        !hint ||
        fk.name === hint ||
        (fk.refColumns.length === 1 && fk.refColumns[0] === hint) ||
        fk.table === hint ||
        (fk.table !== fk.refTable && fk.columns.length === 1 && fk.columns[0] === hint);
      const target = table(fk.table);
      if (byName && byHint && target) {
        const unique = target.uniques.some((u) => sameColumns(u, fk.columns));
        candidates.push({ fk, direction: 'o2m', toOne: unique, target });
      }
    }
  }
  // Many-to-many through a junction whose keys to both sides are part of one of its unique keys (as PostgREST requires).
  for (const toParent of cache.foreignKeys) {
    if (toParent.schema !== parent.schema || toParent.refTable !== parent.name) continue;
    const junction = table(toParent.table);
    if (!junction) continue;
    for (const toTarget of cache.foreignKeys) {
      if (
        toTarget === toParent ||
        toTarget.schema !== parent.schema ||
        toTarget.table !== junction.name ||
        toTarget.refTable !== name
      )
        continue;
      const keyed = junction.uniques.some((u) =>
        [...toParent.columns, ...toTarget.columns].every((c) => u.includes(c)),
      );
      const byHint = !hint || hint === junction.name || hint === toParent.name || hint === toTarget.name;
      const target = table(toTarget.refTable);
      if (keyed && byHint && target)
        candidates.push({ fk: toParent, junctionFk: toTarget, direction: 'm2m', toOne: false, target });
    }
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new CacheMissError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent.name}' and '${name}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent.name}' and '${name}'${hint ? ` using the hint '${hint}'` : ''} in the schema '${parent.schema}', but no matches were found.`,
      `Check that a foreign key links '${parent.name}' and '${name}', and that the embed names the table, the constraint or the key column.`,
    );
  }
  const details = candidates.map((c) => ({
    cardinality:
      c.direction === 'm2o'
        ? 'many-to-one'
        : c.direction === 'm2m'
          ? 'many-to-many'
          : c.toOne
            ? 'one-to-one'
            : 'one-to-many',
    embedding: `${parent.name} with ${c.target.name}`,
    relationship: `${c.fk.name} using ${c.fk.table}(${c.fk.columns.join(', ')}) and ${c.fk.refTable}(${c.fk.refColumns.join(', ')})`,
  }));
  throw new RestError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${parent.name}' and '${name}'`,
    details,
    `Try changing '${name}' to one of the following: ${candidates.map((c) => `'${name}!${c.direction === 'm2m' ? c.fk.table : c.fk.name}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
  );
}

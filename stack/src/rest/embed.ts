/**
 * Finds the relationship behind an embedded resource as PostgREST's `findRel` does: the relationships of the parent
 * (many-to-one, one-to-one, their inverses, many-to-many through a junction, computed relationships), filtered by the
 * embed name and `!hint` with its rules (self-references included), sorted in PostgREST's order.
 */
import type { ForeignKey, Func, SchemaCache, Table } from './catalog.ts';
import { cacheKey } from './catalog.ts';
import { CacheMissError, RestError } from './errors.ts';
import { fuzzyBest } from './fuzzy.ts';

/** How an embedded resource joins to its parent. */
export interface Relationship {
  fk: ForeignKey;
  /**
   * `m2o`: the parent holds the key (embed is an object); `o2m`: the embed holds it (an array, or an object when the key is unique);
   * `m2m`: a junction table holds keys to both (`fk` to the parent, `junctionFk` to the embed);
   * `computed`: a function of the parent's row type returning the embed's rows (`fn`).
   */
  direction: 'm2o' | 'o2m' | 'm2m' | 'computed';
  junctionFk?: ForeignKey;
  /** The function of a computed relationship. */
  fn?: Func;
  toOne: boolean;
  target: Table;
}

/** One relationship of a table, in PostgREST's terms. */
interface Candidate {
  rel: Relationship;
  cardinality: 'one-to-many' | 'many-to-one' | 'one-to-one' | 'many-to-many' | 'computed';
  cons: string;
  /** (parent column, target column) pairs; for m2m the junction's columns. */
  cols: [string, string][];
  isSelf: boolean;
  targetIsView: boolean;
}

const CARDINALITY_RANK = { 'one-to-many': 0, 'many-to-one': 1, 'one-to-one': 2, 'many-to-many': 3, computed: 4 };

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function isView(t: Table): boolean {
  return t.kind === 'v' || t.kind === 'm';
}

/** Every relationship whose origin is `parent`, sorted as PostgREST sorts them (target, self, cardinality, constraint). */
function relationshipsOf(cache: SchemaCache, parent: Table): Candidate[] {
  const table = (n: string) => cache.tables.get(cacheKey(parent.schema, n));
  const out: Candidate[] = [];
  const oneToOne = (fk: ForeignKey) => table(fk.table)?.constraintUniques.some((u) => sameSet(u, fk.columns)) ?? false;
  for (const fk of cache.foreignKeys) {
    if (fk.schema !== parent.schema) continue;
    const isSelf = fk.table === fk.refTable;
    const o2o = oneToOne(fk);
    if (fk.table === parent.name) {
      const target = table(fk.refTable);
      if (target)
        out.push({
          rel: { fk, direction: 'm2o', toOne: true, target },
          cardinality: o2o ? 'one-to-one' : 'many-to-one',
          cons: fk.name,
          cols: fk.columns.map((c, i) => [c, fk.refColumns[i]!]),
          isSelf,
          targetIsView: isView(target),
        });
    }
    if (fk.refTable === parent.name) {
      const target = table(fk.table);
      if (target)
        out.push({
          rel: { fk, direction: 'o2m', toOne: o2o, target },
          cardinality: o2o ? 'one-to-one' : 'one-to-many',
          cons: fk.name,
          cols: fk.refColumns.map((c, i) => [c, fk.columns[i]!]),
          isSelf,
          targetIsView: isView(target),
        });
    }
  }
  // Many-to-many: a junction with many-to-one keys to both sides whose columns are all in its primary key.
  for (const toParent of cache.foreignKeys) {
    if (toParent.schema !== parent.schema || toParent.refTable !== parent.name || oneToOne(toParent)) continue;
    const junction = table(toParent.table);
    if (!junction) continue;
    for (const toTarget of cache.foreignKeys) {
      if (toTarget.name === toParent.name || toTarget.schema !== parent.schema || toTarget.table !== junction.name)
        continue;
      if (oneToOne(toTarget)) continue;
      if (![...toParent.columns, ...toTarget.columns].every((c) => junction.pk.includes(c))) continue;
      const target = table(toTarget.refTable);
      if (!target) continue;
      out.push({
        rel: { fk: toParent, junctionFk: toTarget, direction: 'm2m', toOne: false, target },
        cardinality: 'many-to-many',
        cons: junction.name,
        cols: [],
        isSelf: parent.name === target.name,
        targetIsView: isView(target),
      });
    }
  }
  out.sort(
    (a, b) =>
      cmp(a.rel.target.name, b.rel.target.name) ||
      Number(a.isSelf) - Number(b.isSelf) ||
      CARDINALITY_RANK[a.cardinality] - CARDINALITY_RANK[b.cardinality] ||
      cmp(a.cons, b.cons) ||
      cmp(a.rel.junctionFk?.name ?? '', b.rel.junctionFk?.name ?? ''),
  );
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Functions taking the parent's row type and returning rows of a table or view: PostgREST's computed relationships. */
function computedRelationships(cache: SchemaCache, parent: Table, name: string): Relationship[] {
  const out: Relationship[] = [];
  for (const fn of cache.functions.get(cacheKey(parent.schema, name)) ?? []) {
    if (fn.args.length !== 1) continue;
    const argType = fn.args[0]!.type.replaceAll('"', '');
    if (argType !== parent.name && argType !== `${parent.schema}.${parent.name}`) continue;
    const target = fn.returnTable ? cache.tables.get(cacheKey(parent.schema, fn.returnTable)) : undefined;
    if (!target) continue;
    const fk: ForeignKey = {
      name: fn.name,
      schema: parent.schema,
      table: parent.name,
      columns: [],
      refTable: target.name,
      refColumns: [],
    };
    out.push({ fk, direction: 'computed', fn, toOne: !fn.returnsSet, target });
  }
  return out;
}

function singleCol(cols: [string, string][], side: 0 | 1, value: string): boolean {
  return cols.length === 1 && cols[0]![side] === value;
}

/** Resolves `name[!hint]` embedded under `parent`; throws PGRST200 (none) or PGRST201 (ambiguous). */
export function findRelationship(
  cache: SchemaCache,
  parent: Table,
  name: string,
  hint: string | undefined,
): Relationship {
  // A computed relationship named like the embed overrides detected ones to the same target (PostgREST's override).
  const computed = computedRelationships(cache, parent, name);
  if (computed.length === 1) return computed[0]!;
  const all = relationshipsOf(cache, parent);
  const matches = all.filter((c) => {
    const target = c.rel.target.name;
    const fkLike = c.cardinality !== 'many-to-many';
    if (c.isSelf && c.cardinality !== 'many-to-many') {
      const o2m = c.cardinality === 'one-to-many' || (c.cardinality === 'one-to-one' && c.rel.direction === 'o2m');
      const m2o = c.cardinality === 'many-to-one' || (c.cardinality === 'one-to-one' && c.rel.direction === 'm2o');
      // Self-references: the table name gives the children, a key column of the parent side gives the parent;
      // with a hint, the table name plus the children's key column.
      if (hint === undefined) return (name === target && o2m) || (m2o && singleCol(c.cols, 0, name));
      return name === target && o2m && singleCol(c.cols, 1, hint);
    }
    if (hint === undefined)
      return name === target || (fkLike && !c.targetIsView && (c.cons === name || singleCol(c.cols, 0, name)));
    return (
      name === target &&
      ((fkLike && (c.cons === hint || singleCol(c.cols, 0, hint) || singleCol(c.cols, 1, hint))) ||
        (!fkLike && c.cons === hint))
    );
  });
  if (matches.length === 1) return matches[0]!.rel;
  if (matches.length === 0) {
    const targets = all.map((c) => c.rel.target.name);
    // PostgREST's hint: the closest target of the parent's relationships, never the embed name itself.
    const suggestion = targets.length && !targets.includes(name) ? fuzzyBest(name, targets, 0.33) : null;
    throw new CacheMissError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent.name}' and '${name}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent.name}' and '${name}${hint ? `' using the hint '${hint}` : ''}' in the schema '${parent.schema}', but no matches were found.`,
      suggestion ? `Perhaps you meant '${suggestion}' instead of '${name}'.` : null,
    );
  }
  const details = matches.map((c) => ({
    cardinality: c.cardinality,
    embedding: `${parent.name} with ${c.rel.target.name}`,
    relationship:
      c.cardinality === 'many-to-many'
        ? `${c.cons} using ${c.rel.fk.name}(${c.rel.fk.columns.join(', ')}) and ${c.rel.junctionFk!.name}(${c.rel.junctionFk!.columns.join(', ')})`
        : `${c.cons} using ${parent.name}(${c.cols.map((p) => p[0]).join(', ')}) and ${c.rel.target.name}(${c.cols.map((p) => p[1]).join(', ')})`,
  }));
  throw new RestError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${parent.name}' and '${name}'`,
    details,
    `Try changing '${name}' to one of the following: ${matches.map((c) => `'${c.rel.target.name}!${c.cons}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
  );
}

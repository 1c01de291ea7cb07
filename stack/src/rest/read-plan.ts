/** Builds the read tree: the select list with embeds resolved along foreign keys, and each query parameter attached to its node. */
import type { Func, SchemaCache, Table } from './catalog.ts';
import { findRelationship, type Relationship } from './embed.ts';
import { RestError } from './errors.ts';
import {
  parseCount,
  parseFilter,
  parseFilterKey,
  parseLogic,
  parseOrder,
  type Condition,
  type OrderTerm,
  type SelectItem,
} from './query-parser.ts';

/** An embedded resource with its relationship and its own read node. */
export interface PlannedEmbed {
  kind: 'embed';
  name: string;
  /** The key in the output (alias or name); also how query params address it. */
  outName: string;
  rel: Relationship;
  node: ReadNode;
  joinAlias: string;
  inner: boolean;
  /** `...embed(cols)`: the embed's columns go into the parent; to-many spreads give one array per column. */
  spread: boolean;
  /** `embed()`: joined for filtering only, never in the output. */
  empty: boolean;
}

/** A select item after planning. */
export type PlannedItem = Exclude<SelectItem, { kind: 'embed' }> | PlannedEmbed;

/** One relation read: the root table, or one embed. */
export interface ReadNode {
  table: Table;
  alias: string;
  /** The name PostgREST's SQL gives this relation (the table at the root, `<table>_<depth>` in embeds), for messages. */
  displayAlias: string;
  items: PlannedItem[];
  where: Condition[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  /** Computed fields: functions of this table's row type, usable like columns (`select=full_name`). */
  computed: Map<string, Func>;
}

/** Query parameters that are never filters. */
export const RESERVED_PARAMS = new Set(['select', 'columns', 'on_conflict', 'apikey']);

/** Functions of the schema taking one argument of `table`'s row type and returning a single value. */
function computedFields(cache: SchemaCache, table: Table): Map<string, Func> {
  const out = new Map<string, Func>();
  for (const fns of cache.functions.values()) {
    for (const fn of fns) {
      if (fn.schema !== table.schema || fn.returnsSet || fn.isVoid || fn.args.length < 1) continue;
      if (fn.args.slice(1).some((a) => !a.hasDefault)) continue;
      const type = fn.args[0]!.type.replaceAll('"', '');
      if (type === table.name || type === `${table.schema}.${table.name}`) out.set(fn.name, fn);
    }
  }
  return out;
}

/** Resolves the select list against the schema cache. */
export function planSelect(cache: SchemaCache, table: Table, items: SelectItem[], rootAlias = table.name): ReadNode {
  let n = 0;
  const build = (t: Table, list: SelectItem[], alias: string, depth = 0): ReadNode => {
    const node: ReadNode = {
      table: t,
      alias,
      displayAlias: depth ? `${t.name}_${depth}` : t.name,
      items: [],
      where: [],
      order: [],
      computed: computedFields(cache, t),
    };
    for (const item of list) {
      if (item.kind === 'field' && item.aggregate && !cache.settings.aggregates)
        throw new RestError(400, 'PGRST123', 'Use of aggregate functions is not allowed', null, null);
      if (item.kind !== 'embed') {
        node.items.push(item);
        continue;
      }
      const rel = findRelationship(cache, t, item.name, item.hint);
      n++;
      // `embed()` selects nothing: the embed only filters (with !inner or `embed=not.is.null`) and is left out of the output.
      const empty = item.items.length === 0;
      const child = build(rel.target, empty ? [] : item.items, `pgrst_${n}_${rel.target.name.slice(0, 40)}`, depth + 1);
      if (item.spread && child.items.some((i) => i.kind === 'field' && i.aggregate)) {
        // PostgREST aggregates a to-one spread's columns at the parent's level; the stack does not (yet).
        throw new RestError(
          400,
          'PGRST127',
          'Feature not implemented',
          rel.toOne
            ? 'Aggregates combined with spread embeds are not implemented by the local stack.'
            : 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
          null,
        );
      }
      node.items.push({
        kind: 'embed',
        name: item.name,
        outName: item.alias ?? item.name,
        rel,
        node: child,
        joinAlias: `pgrst_j${n}`,
        inner: item.joinType === 'inner',
        spread: item.spread,
        empty,
      });
    }
    return node;
  };
  return build(table, items, rootAlias);
}

function findNode(root: ReadNode, path: string[]): ReadNode {
  let node = root;
  for (const seg of path) {
    const embeds = node.items.filter((i): i is PlannedEmbed => i.kind === 'embed');
    const next = embeds.find((e) => e.outName === seg) ?? embeds.find((e) => e.name === seg);
    if (!next) {
      throw new RestError(
        400,
        'PGRST108',
        `'${seg}' is not an embedded resource in this request`,
        null,
        `Verify that '${seg}' is included in the 'select' query parameter.`,
      );
    }
    node = next.node;
  }
  return node;
}

/** Attaches filters, `or`/`and`, `order`, `limit` and `offset` (root or `embed.`-prefixed) to their nodes. */
export function applyQueryParams(root: ReadNode, query: URLSearchParams, skip: ReadonlySet<string> = new Set()): void {
  for (const [key, value] of query) {
    if (RESERVED_PARAMS.has(key) || skip.has(key)) continue;
    const { path, field } = parseFilterKey(key);
    const plain = field.jsonPath.length === 0 ? field.name : null;
    let negate = false;
    if ((plain === 'or' || plain === 'and') && path[path.length - 1] === 'not') {
      path.pop();
      negate = true;
    }
    const node = findNode(root, path);
    switch (plain) {
      case 'or':
      case 'and':
        node.where.push(parseLogic(plain, negate, value));
        break;
      case 'order':
        node.order.push(...parseOrder(value));
        break;
      case 'limit':
        node.limit = parseCount(value, 'limit');
        break;
      case 'offset':
        node.offset = parseCount(value, 'offset');
        break;
      default:
        node.where.push({ kind: 'filter', filter: parseFilter(field, value) });
    }
  }
}

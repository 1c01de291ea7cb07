import { describe, expect, it } from 'vitest';
import { RestError } from '../src/rest/errors.ts';
import {
  parseColumns,
  parseFilter,
  parseFilterKey,
  parseList,
  parseLogic,
  parseOrder,
  parseSelect,
} from '../src/rest/query-parser.ts';
import { parsePrefer } from '../src/rest/prefer.ts';
import { negotiate } from '../src/rest/media.ts';
import { contentRange, rangeStatus } from '../src/rest/response.ts';
import { statusForSqlState } from '../src/rest/errors.ts';
import { castType, ident } from '../src/rest/sql.ts';

const f = (name: string) => ({ name, jsonPath: [] });

describe('select grammar', () => {
  it('parses fields, aliases, casts, JSON paths and star', () => {
    expect(parseSelect(null)).toEqual([{ kind: 'star' }]);
    expect(parseSelect('id,who:name,price::text,country:meta->>country,meta->a->0')).toEqual([
      { kind: 'field', field: f('id'), alias: undefined, cast: undefined },
      { kind: 'field', field: f('name'), alias: 'who', cast: undefined },
      { kind: 'field', field: f('price'), alias: undefined, cast: 'text' },
      {
        kind: 'field',
        field: { name: 'meta', jsonPath: [{ arrow: '->>', key: 'country' }] },
        alias: 'country',
        cast: undefined,
      },
      {
        kind: 'field',
        field: {
          name: 'meta',
          jsonPath: [
            { arrow: '->', key: 'a' },
            { arrow: '->', key: '0' },
          ],
        },
        alias: undefined,
        cast: undefined,
      },
    ]);
  });

  it('parses embeds with aliases, hints, !inner, spreads and nesting', () => {
    expect(parseSelect('*,owner:users!owner_id!inner(id,teams(*)),...profile(bio)')).toEqual([
      { kind: 'star' },
      {
        kind: 'embed',
        name: 'users',
        alias: 'owner',
        hint: 'owner_id',
        joinType: 'inner',
        spread: false,
        items: [
          { kind: 'field', field: f('id'), alias: undefined, cast: undefined },
          {
            kind: 'embed',
            name: 'teams',
            alias: undefined,
            hint: undefined,
            joinType: undefined,
            spread: false,
            items: [{ kind: 'star' }],
          },
        ],
      },
      {
        kind: 'embed',
        name: 'profile',
        alias: undefined,
        hint: undefined,
        joinType: undefined,
        spread: true,
        items: [{ kind: 'field', field: f('bio'), alias: undefined, cast: undefined }],
      },
    ]);
  });

  it('accepts quoted names and refuses broken input with PGRST100', () => {
    expect(parseSelect('"my col":"weird, name"')).toEqual([
      { kind: 'field', field: f('weird, name'), alias: 'my col', cast: undefined },
    ]);
    for (const bad of ['id,', 'a(b', 'a)', ':x', 'a!inner']) {
      expect(() => parseSelect(bad), bad).toThrow(RestError);
    }
  });
});

describe('filter grammar', () => {
  it('parses operators, negation and modifiers', () => {
    expect(parseFilter(f('a'), 'eq.1')).toEqual({ field: f('a'), negate: false, operation: { op: 'eq', value: '1' } });
    expect(parseFilter(f('a'), 'not.like.*x,y)*')).toEqual({
      field: f('a'),
      negate: true,
      operation: { op: 'like', value: '*x,y)*' },
    });
    expect(parseFilter(f('a'), 'in.(1,"a,b","q\\"uote",)')).toMatchObject({
      operation: { op: 'in', values: ['1', 'a,b', 'q"uote', ''] },
    });
    expect(parseFilter(f('a'), 'is.NULL')).toMatchObject({ operation: { op: 'is', value: 'null' } });
    expect(parseFilter(f('a'), 'like(any).{a*,b*}')).toMatchObject({
      operation: { op: 'like', quantifier: 'any', value: '{a*,b*}' },
    });
    expect(parseFilter(f('a'), 'wfts(english).cat -dog')).toMatchObject({
      operation: { op: 'wfts', config: 'english', value: 'cat -dog' },
    });
    expect(parseFilter(f('a'), 'fts.cat')).toMatchObject({ operation: { op: 'fts', config: undefined } });
  });

  it('refuses unknown operators, bad modifiers, bad is values and unclosed lists', () => {
    for (const bad of ['nope.1', 'eq1', 'is.maybe', 'in.1,2', 'in.(1,2', 'cs(any).{a}', 'eq(some).{1}', '']) {
      expect(() => parseFilter(f('a'), bad), bad).toThrow(RestError);
    }
  });

  it('parses filter keys with embed paths and JSON paths', () => {
    expect(parseFilterKey('books.reviews.stars')).toEqual({ path: ['books', 'reviews'], field: f('stars') });
    expect(parseFilterKey('data->a->>b')).toEqual({
      path: [],
      field: {
        name: 'data',
        jsonPath: [
          { arrow: '->', key: 'a' },
          { arrow: '->>', key: 'b' },
        ],
      },
    });
  });

  it('parses nested logic trees with quoting', () => {
    expect(
      parseLogic('or', false, '(a.eq.1,not.and(b.gt.2,c.in.("x,y",z)),d.eq."p,q)",e.cs.{1,2},r.sr.[1,5))'),
    ).toEqual({
      kind: 'or',
      negate: false,
      children: [
        { kind: 'filter', filter: { field: f('a'), negate: false, operation: { op: 'eq', value: '1' } } },
        {
          kind: 'and',
          negate: true,
          children: [
            { kind: 'filter', filter: { field: f('b'), negate: false, operation: { op: 'gt', value: '2' } } },
            { kind: 'filter', filter: { field: f('c'), negate: false, operation: { op: 'in', values: ['x,y', 'z'] } } },
          ],
        },
        { kind: 'filter', filter: { field: f('d'), negate: false, operation: { op: 'eq', value: 'p,q)' } } },
        { kind: 'filter', filter: { field: f('e'), negate: false, operation: { op: 'cs', value: '{1,2}' } } },
        { kind: 'filter', filter: { field: f('r'), negate: false, operation: { op: 'sr', value: '[1,5)' } } },
      ],
    });
    for (const bad of ['a.eq.1', '(a.eq.1', '(a.eq.1))', '(a.zz.1)', '()']) {
      expect(() => parseLogic('or', false, bad), bad).toThrow(RestError);
    }
  });

  it('parses order, columns and list values', () => {
    expect(parseOrder('a.desc.nullslast,b,author(name).asc')).toEqual([
      { field: f('a'), relation: undefined, direction: 'desc', nulls: 'last' },
      { field: f('b'), relation: undefined },
      { field: f('name'), relation: 'author', direction: 'asc' },
    ]);
    expect(() => parseOrder('a.sideways')).toThrow(RestError);
    expect(parseColumns('"a","b c",d')).toEqual(['a', 'b c', 'd']);
    expect(parseList('()')).toEqual([]);
  });
});

describe('headers, ranges and errors', () => {
  it('reads Prefer and rejects unknown preferences only under handling=strict', () => {
    expect(
      parsePrefer('return=representation, count=exact,resolution=merge-duplicates, missing=default, tx=rollback'),
    ).toMatchObject({
      return: 'representation',
      count: 'exact',
      resolution: 'merge-duplicates',
      missing: 'default',
      tx: 'rollback',
      invalid: [],
    });
    expect(parsePrefer(['handling=lenient', 'bogus=1']).invalid).toEqual(['bogus=1']);
    expect(() => parsePrefer('handling=strict, bogus=1')).toThrow(/Invalid preferences/);
    expect(parsePrefer('handling=strict, max-affected=5').maxAffected).toBe(5);
  });

  it('negotiates Accept', () => {
    expect(negotiate(undefined).format).toBe('json');
    expect(negotiate('application/vnd.pgrst.object+json').format).toBe('object');
    expect(negotiate('application/vnd.pgrst.object+json;nulls=stripped').format).toBe('object-stripped');
    expect(negotiate('text/html, text/csv').format).toBe('csv');
    expect(() => negotiate('text/html')).toThrow(RestError);
  });

  it('computes Content-Range and range statuses as PostgREST', () => {
    expect(contentRange(0, 10, 100)).toBe('0-9/100');
    expect(contentRange(5, 2, null)).toBe('5-6/*');
    expect(contentRange(0, 0, 0)).toBe('*/0');
    expect(contentRange(0, 0, null)).toBe('*/*');
    expect(rangeStatus(0, 10, null)).toBe(200);
    expect(rangeStatus(0, 10, 10)).toBe(200);
    expect(rangeStatus(0, 5, 10)).toBe(206);
    expect(rangeStatus(11, 0, 10)).toBe(416);
  });

  it('maps SQLSTATEs to statuses', () => {
    expect(statusForSqlState('42501', '', true)).toBe(401);
    expect(statusForSqlState('42501', '', false)).toBe(403);
    expect(statusForSqlState('23505', '', false)).toBe(409);
    expect(statusForSqlState('23503', '', false)).toBe(409);
    expect(statusForSqlState('23502', '', false)).toBe(400);
    expect(statusForSqlState('P0001', '', false)).toBe(400);
    expect(statusForSqlState('PT402', '', false)).toBe(402);
    expect(statusForSqlState('25006', '', false)).toBe(405);
    expect(statusForSqlState('57014', '', false)).toBe(500);
    expect(statusForSqlState('53300', '', false)).toBe(503);
  });

  it('quotes identifiers and only accepts plain cast types', () => {
    expect(ident('a"b')).toBe('"a""b"');
    expect(() => ident('a\u0000')).toThrow(RestError);
    expect(castType('int4')).toBe('int4');
    expect(castType('text[]')).toBe('text[]');
    expect(() => castType('int); drop table x; --')).toThrow(RestError);
  });
});

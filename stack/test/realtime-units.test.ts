import { describe, expect, it } from 'vitest';
import {
  compareKind,
  parseFilters,
  parseSubscriptionParams,
  testFilter,
  type Filter,
} from '../src/realtime/cdc/filters.ts';
import { textToJson, NEEDS_SQL } from '../src/realtime/cdc/values.ts';
import { TopicPresence } from '../src/realtime/presence.ts';
import { decodeBinary, decodeText, encodeText, encodeUserBroadcast } from '../src/realtime/serializer.ts';

describe('postgres_changes filter parsing (pure)', () => {
  it('parses operators, negation, quoted values and in-lists as Realtime does', () => {
    expect(parseFilters('id=gt.0,id=lt.100')).toEqual([
      { column: 'id', op: 'gt', value: '0', negate: false },
      { column: 'id', op: 'lt', value: '100', negate: false },
    ]);
    expect(parseFilters('name=eq."a,b"')).toEqual([{ column: 'name', op: 'eq', value: 'a,b', negate: false }]);
    expect(parseFilters('status=not.in.(draft,"x,y")')).toEqual([
      { column: 'status', op: 'in', value: '(draft,"x,y")', list: ['draft', 'x,y'], negate: true },
    ]);
    expect(parseFilters('subject=foo.hey')).toBe('["foo","hey"]');
    expect(parseFilters('a=eq.1,,b=eq.2')).toBe('filter must not contain empty segments (check for extra commas)');
    expect(parseFilters('a=in.1,2')).toBe('`in` filter value must be wrapped by parentheses');
    expect(parseSubscriptionParams({ schema: 'public' })).toMatchObject({ action: '*', schema: 'public', table: '*' });
    expect(parseSubscriptionParams({ table: 'items', event: 'insert' })).toMatchObject({
      action: 'INSERT',
      schema: 'public',
      table: 'items',
    });
    expect(parseSubscriptionParams({ schema: '*', table: 'x', select: ['a'] })).toEqual({
      error: expect.stringContaining('not supported for wildcard'),
    });
  });

  it('compares by column type, with SQL NULL matching nothing', () => {
    const one = (s: string) => (parseFilters(s) as Filter[])[0]!;
    expect(testFilter(one('n=gt.9'), '10', compareKind('int4'))).toBe(true); // numeric, not lexical
    expect(testFilter(one('n=gt.9'), '10', compareKind('text'))).toBe(false);
    expect(testFilter(one('n=gt.9'), null, compareKind('int4'))).toBe(false);
    expect(testFilter(one('at=gte.2025-01-01T00:00:00Z'), '2025-06-01 10:00:00+00', compareKind('timestamptz'))).toBe(
      true,
    );
    expect(testFilter(one('x=is.null'), null, 'text')).toBe(true);
    expect(testFilter(one('t=ilike.%HELLO%'), 'say hello there', 'text')).toBe(true);
  });
});

describe('WAL text to typed JSON (pure)', () => {
  const t = (typname: string, category = 'X') => ({ oid: 0, typname, category, sqlType: typname });
  it('renders values as to_jsonb does, or defers to Postgres', () => {
    expect(textToJson('42', t('int8'))).toBe(42);
    expect(textToJson('t', t('bool'))).toBe(true);
    expect(textToJson('{"a":1}', t('jsonb'))).toEqual({ a: 1 });
    expect(textToJson('2025-01-02 03:04:05.678+00', t('timestamptz'))).toBe('2025-01-02T03:04:05.678+00:00');
    expect(textToJson('2025-01-02 03:04:05', t('timestamp'))).toBe('2025-01-02T03:04:05');
    expect(textToJson('{1,2}', t('_int4', 'A'))).toBe(NEEDS_SQL);
  });
});

describe('Phoenix frames and presence (pure)', () => {
  it('round-trips text frames and the binary broadcast kinds', () => {
    const m = { joinRef: '1', ref: '2', topic: 'realtime:a', event: 'e', payload: { x: 1 } };
    expect(decodeText('2.0.0', encodeText('2.0.0', m))).toEqual(m);
    expect(decodeText('1.0.0', encodeText('1.0.0', m))).toEqual(m);
    const parts = ['1', '2', 'realtime:a', 'ev', '{"persist":true}'].map((s) => Buffer.from(s));
    const push = decodeBinary(
      Buffer.concat([Buffer.from([3, ...parts.map((p) => p.length), 0]), ...parts, Buffer.from([9, 8])]),
    );
    expect(push).toEqual({
      joinRef: '1',
      ref: '2',
      topic: 'realtime:a',
      event: 'ev',
      encoding: 'binary',
      payload: Buffer.from([9, 8]),
      metadata: { persist: true },
    });
    const out = encodeUserBroadcast('realtime:a', 'ev', 'json', Buffer.from('{}'), { id: 'x' });
    expect([...out.subarray(0, 5)]).toEqual([4, 10, 2, 10, 1]);
  });

  it('reports a presence update as a join with phx_ref_prev and a leave of the old meta', () => {
    const p = new TopicPresence();
    const first = p.track(1, 'k', { a: 1 });
    const second = p.track(1, 'k', { a: 2 });
    expect(second.joins.k!.metas[0]).toMatchObject({ a: 2, phx_ref_prev: first.joins.k!.metas[0]!.phx_ref });
    expect(second.leaves.k!.metas[0]).toMatchObject({ a: 1 });
    expect(p.state()).toEqual({ k: { metas: [second.joins.k!.metas[0]] } });
    expect(p.untrack(1)?.leaves.k?.metas[0]).toMatchObject({ a: 2 });
    expect(p.untrack(1)).toBeNull();
  });
});

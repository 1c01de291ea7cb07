/** Pure parts of the Upstash endpoint: the RESP parser, reply encoding (base64 rules), path decoding and the command policy. */
import { describe, expect, it } from 'vitest';
import { execResult } from '../src/redis/backend.ts';
import { commandFromJson, entryToJson, percentDecode, replyToJson } from '../src/redis/encoding.ts';
import { refusal } from '../src/redis/policy.ts';
import { encodeCommand, ReplyError, RespParser, type Reply } from '../src/redis/resp.ts';

function parseAll(input: Buffer, chunk: number): { replies: Reply[]; pushes: Reply[] } {
  const replies: Reply[] = [];
  const pushes: Reply[] = [];
  const parser = new RespParser(
    (r) => replies.push(r),
    (p) => pushes.push(p),
  );
  for (let i = 0; i < input.length; i += chunk) parser.feed(input.subarray(i, i + chunk));
  return { replies, pushes };
}

describe('RESP', () => {
  const wire = Buffer.concat([
    Buffer.from('+OK\r\n-ERR boom\r\n:42\r\n:-9007199254740993\r\n$5\r\nhe\r\no\r\n$-1\r\n*-1\r\n*0\r\n'),
    Buffer.from('*3\r\n$1\r\na\r\n*2\r\n:1\r\n$0\r\n\r\n-ERR inner\r\n'),
    Buffer.from('$3\r\n'),
    Buffer.from([0x00, 0xff, 0x0a]),
    Buffer.from('\r\n'),
    // RESP3: null, double, boolean, map, set, big number, verbatim, attribute then reply, push between replies.
    Buffer.from(
      '_\r\n,3.25\r\n#t\r\n%1\r\n+f\r\n:1\r\n~1\r\n+m\r\n(12345678901234567890\r\n=7\r\ntxt:abc\r\n|1\r\n+key\r\n+v\r\n:7\r\n>2\r\n+message\r\n+x\r\n:8\r\n',
    ),
  ]);
  const expected: Reply[] = [
    'OK',
    new ReplyError('ERR boom'),
    42,
    -9007199254740993n,
    Buffer.from('he\r\no'),
    null,
    null,
    [],
    [Buffer.from('a'), [1, Buffer.alloc(0)], new ReplyError('ERR inner')],
    Buffer.from([0x00, 0xff, 0x0a]),
    null,
    Buffer.from('3.25'),
    1,
    ['f', 1],
    ['m'],
    12345678901234567890n,
    Buffer.from('abc'),
    7,
    8,
  ];

  for (const chunk of [1, 3, 7, 1024]) {
    it(`parses every reply type fed in ${chunk}-byte chunks`, () => {
      const { replies, pushes } = parseAll(wire, chunk);
      expect(replies).toEqual(expected);
      expect(pushes).toEqual([['message', 'x']]);
    });
  }

  it('encodes commands as arrays of binary-safe bulk strings', () => {
    expect(encodeCommand(['SET', Buffer.from([0, 13, 10]), 'ü']).toString('latin1')).toBe(
      '*3\r\n$3\r\nSET\r\n$3\r\n\x00\r\n\r\n$2\r\nÃ¼\r\n',
    );
  });

  it('rejects a stream that is not RESP', () => {
    expect(() => parseAll(Buffer.from('HTTP/1.1 400\r\n'), 100)).toThrow(/Invalid RESP reply/);
  });
});

describe('reply encoding', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('base64 mode encodes every string except a top-level OK; numbers and nulls stay', () => {
    expect(replyToJson('OK', true)).toBe('OK');
    expect(replyToJson('PONG', true)).toBe(b64('PONG'));
    expect(replyToJson(Buffer.from('OK'), true)).toBe(b64('OK'));
    expect(replyToJson([Buffer.from('a'), null, 3, ['OK', [Buffer.from([0xff])]]], true)).toEqual([
      b64('a'),
      null,
      3,
      [b64('OK'), ['/w==']],
    ]);
    expect(JSON.stringify({ result: replyToJson(12345678901234567890n, false) })).toBe(
      '{"result":12345678901234567890}',
    );
  });

  it('plain mode reads bulk strings as UTF-8, replacing invalid bytes', () => {
    expect(replyToJson(Buffer.from('grüße'), false)).toBe('grüße');
    expect(replyToJson(Buffer.from([0x61, 0xff]), false)).toBe('a\uFFFD');
  });

  it('errors are never encoded', () => {
    expect(entryToJson(new ReplyError('ERR x'), true)).toEqual({ error: 'ERR x' });
    expect(entryToJson(Buffer.from('x'), true)).toEqual({ result: b64('x') });
  });

  it('turns JSON commands into bytes and refuses what Redis cannot take', () => {
    expect(commandFromJson(['set', 'k', 1.5, true]).map(String)).toEqual(['set', 'k', '1.5', 'true']);
    expect(() => commandFromJson([])).toThrow(/non-empty JSON array/);
    expect(() => commandFromJson(['set', 'k', null])).toThrow(/argument 3 .* got null/);
  });

  it('decodes %XX escapes in path segments to raw bytes', () => {
    expect(percentDecode('a%20b%FF%zz')).toEqual(Buffer.from([0x61, 0x20, 0x62, 0xff, 0x25, 0x7a, 0x7a]));
    expect(percentDecode('ü').toString()).toBe('ü');
  });

  it('reports the command that discarded a transaction', () => {
    const r = execResult([
      'OK',
      'QUEUED',
      new ReplyError('ERR unknown command'),
      new ReplyError('EXECABORT Transaction discarded because of previous errors.'),
    ]);
    expect(r).toEqual(new ReplyError('ERR unknown command (transaction discarded: no command ran)'));
    expect(execResult(['OK', 'QUEUED', [Buffer.from('v')]])).toEqual([Buffer.from('v')]);
  });
});

describe('command policy', () => {
  it('allows data commands and refuses what would block or take over the shared connection', () => {
    for (const ok of ['get', 'SET', 'flushall', 'eval', 'publish', 'xread', 'ping']) expect(refusal(ok, [])).toBeNull();
    for (const no of [
      'blpop',
      'BZPOPMIN',
      'subscribe',
      'monitor',
      'select',
      'auth',
      'client',
      'multi',
      'watch',
      'config',
      'shutdown',
      'debug',
      'slaveof',
      'replicaof',
    ]) {
      expect(refusal(no, []), no).toMatch(/^ERR Command is not available/);
    }
    expect(refusal('xread', [Buffer.from('BLOCK'), Buffer.from('0')])).toMatch(/BLOCK/);
  });
});

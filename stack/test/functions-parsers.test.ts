/** The pure parts of the functions service: `.env` and `config.toml` reading, function names. */
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../src/supabase-cli.ts';
import { parseFunctionsToml } from '../src/functions/function-config.ts';
import { FunctionLog, lineSplitter } from '../src/functions/logs.ts';
import { isFunctionName } from '../src/functions/names.ts';

describe('parseDotenv', () => {
  it('reads plain, quoted, exported and commented lines', () => {
    const env = parseDotenv(
      [
        '# comment',
        'A=1',
        'export B = two words # note',
        'C="line\\nbreak \\"q\\""',
        "D='single # not a comment'",
        'E=',
        'F=`back`',
        'not a line',
        'G=x=y',
      ].join('\n'),
    );
    expect(env).toEqual({
      A: '1',
      B: 'two words',
      C: 'line\nbreak "q"',
      D: 'single # not a comment',
      E: '',
      F: 'back',
      G: 'x=y',
    });
  });
});

describe('parseFunctionsToml', () => {
  it('reads only [functions.<name>] tables and their scalar keys', () => {
    const tables = parseFunctionsToml(
      [
        '[api]',
        'port = 54321',
        '[functions.hello]',
        'verify_jwt = false # webhooks call it',
        'entrypoint = "./functions/hello/main.ts"',
        '[functions."quoted-name"]',
        "import_map = './functions/import_map.json'",
        '[functions.hello.static]', // nested tables are not function settings
        'verify_jwt = true',
        '[edge_runtime]',
        'policy = "per_worker"',
      ].join('\n'),
    );
    expect([...tables.keys()]).toEqual(['hello', 'quoted-name']);
    expect(tables.get('hello')).toEqual({ verify_jwt: false, entrypoint: './functions/hello/main.ts' });
    expect(tables.get('quoted-name')).toEqual({ import_map: './functions/import_map.json' });
  });
});

describe('isFunctionName', () => {
  it('accepts folder names the CLI accepts and refuses shared and unsafe ones', () => {
    for (const ok of ['hello', 'send-email', 'v2_api', 'A1']) expect(isFunctionName(ok), ok).toBe(true);
    for (const bad of ['', '_shared', '_x', '.env', '..', 'a/b', 'a.b', 'é'])
      expect(isFunctionName(bad), bad).toBe(false);
  });
});

describe('function logs', () => {
  it('prefixes each line with the function name, joins split chunks and keeps the last lines', () => {
    const printed: string[] = [];
    const log = new FunctionLog('hello', (l) => printed.push(l), 3);
    const split = lineSplitter((l) => log.line(l));
    split.push(Buffer.from('one\r\ntw'));
    split.push(Buffer.from('o\nthree\nfour'));
    split.flush();
    expect(printed).toEqual(['[fn:hello] one', '[fn:hello] two', '[fn:hello] three', '[fn:hello] four']);
    expect(log.tail()).toEqual(['two', 'three', 'four']);
  });
});

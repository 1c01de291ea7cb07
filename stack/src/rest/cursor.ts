/** A cursor over query-string text and the name/JSON-path tokens every PostgREST grammar shares. */
import { parseError } from './errors.ts';
import type { FieldRef, JsonStep } from './field-ref.ts';

/** A cursor over a string with the small helpers every grammar here needs. */
export class Cursor {
  pos = 0;
  readonly text: string;
  readonly what: string;
  constructor(text: string, what: string) {
    this.text = text;
    this.what = what;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string): void {
    if (!this.eat(s)) throw this.fail(`expecting "${s}"`);
  }
  fail(expecting: string): Error {
    const found = this.done ? 'end of input' : `"${this.peek()}"`;
    return parseError(this.what, this.text, `unexpected ${found} ${expecting}`, this.pos + 1);
  }
  /** A double-quoted string with backslash escapes. */
  quoted(): string {
    this.expect('"');
    let out = '';
    while (!this.done && this.peek() !== '"') {
      if (this.peek() === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.peek();
      this.pos++;
    }
    this.expect('"');
    return out;
  }
}

const NAME_STOP = new Set([',', ':', '(', ')', '!', '.', '"', '>', '\0']);

/** A field or key name: quoted, or a run of characters that cannot start another token. */
export function name(c: Cursor, allowDot = false): string {
  if (c.peek() === '"') return c.quoted();
  let out = '';
  while (!c.done) {
    const ch = c.peek();
    if (ch === '-' && c.peek(1) === '>') break;
    if (NAME_STOP.has(ch) && !(allowDot && ch === '.')) break;
    out += ch;
    c.pos++;
  }
  if (!out) throw c.fail('expecting a name');
  return out;
}

/** Zero or more `->key` / `->>key` steps. */
export function jsonPath(c: Cursor): JsonStep[] {
  const steps: JsonStep[] = [];
  while (c.startsWith('->')) {
    const arrow = c.eat('->>') ? '->>' : (c.eat('->'), '->');
    steps.push({ arrow, key: name(c) });
  }
  return steps;
}

/** A column name with an optional JSON path. */
export function fieldRef(c: Cursor): FieldRef {
  const n = name(c);
  return { name: n, jsonPath: jsonPath(c) };
}

/** SQL building blocks: identifier quoting and positional parameters, so user input never becomes SQL text. */
import { RestError } from './errors.ts';

/** Quotes an identifier for Postgres (doubling embedded quotes); refuses NUL, which Postgres cannot store. */
export function ident(name: string): string {
  if (name.includes('\0'))
    throw RestError.badRequest(
      'PGRST100',
      `Invalid identifier: it contains a NUL byte`,
      'Remove the NUL byte from the name',
    );
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"`. */
export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/** Collects bound values; `add` returns the `$n` placeholder for one value. */
export class Params {
  readonly values: unknown[] = [];
  /** Binds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A type name as written after `::` in a select; only plain words (and `[]`) are accepted, so a cast cannot carry SQL. */
export function castType(type: string): string {
  if (!/^[a-z_][a-z0-9_]*(\[\])?$/i.test(type)) {
    throw RestError.badRequest(
      'PGRST100',
      `"failed to parse select parameter" (cast ::${type})`,
      'Casts take a plain type name such as ::text or ::int4',
    );
  }
  return type;
}

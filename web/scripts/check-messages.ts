/**
 * `npm run check` (part of `npm run lint`): compiles the message catalogue and fails when a locale lacks a key
 * the base locale has (or has one it lacks), when a translation's placeholders differ from the base text's, or
 * when a text is empty. Unknown keys in code fail the type check that follows (messages are typed functions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE_DIR, compileMessages, LOCALES } from './i18n.ts';

type Catalogue = Record<string, unknown>;

/** Placeholder names of a text (`{name}`), sorted; variant messages (plural forms) give their declared inputs. */
export function placeholders(text: unknown): string[] {
  if (typeof text === 'string') return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
  if (Array.isArray(text)) {
    const declared = text.flatMap((v: { declarations?: string[] }) => v.declarations ?? []);
    return [...new Set(declared.flatMap((d) => /^input (\w+)$/.exec(d)?.[1] ?? []))].sort();
  }
  return [];
}

/** Every problem between the base catalogue and another locale's, one line each. */
export function catalogueProblems(base: Catalogue, other: Catalogue, locale: string): string[] {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(base)) {
    if (key === '$schema') continue;
    if (!(key in other)) problems.push(`${locale}: missing translation of "${key}"`);
    else if (other[key] === '' || (typeof other[key] !== 'string' && !Array.isArray(other[key])))
      problems.push(`${locale}: "${key}" must be a non-empty text`);
    else if (placeholders(text).join() !== placeholders(other[key]).join())
      problems.push(
        `${locale}: "${key}" uses {${placeholders(other[key]).join('}, {')}} but the base text uses {${placeholders(text).join('}, {')}}`,
      );
  }
  for (const key of Object.keys(other)) {
    if (key !== '$schema' && !(key in base)) problems.push(`${locale}: "${key}" is not in the base catalogue`);
  }
  return problems;
}

/** The catalogue's keys that no source file names (web/src, the Edge Functions): left over from removed text. */
export function unusedKeys(keys: string[], sources: string[]): string[] {
  const text = sources.join('\n');
  return keys.filter((k) => k !== '$schema' && !new RegExp(`\\b${k}\\b`).test(text));
}

/** The text of every .ts and .svelte file under `dir`, except compiled messages. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|svelte)$/.test(e.name) && !e.parentPath.includes('paraglide'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'));
}

function read(locale: string): Catalogue {
  return JSON.parse(readFileSync(path.join(CATALOGUE_DIR, `${locale}.json`), 'utf8')) as Catalogue;
}

if (import.meta.main) {
  const [baseLocale, ...others] = LOCALES;
  const base = read(baseLocale);
  const problems = others.flatMap((l) => catalogueProblems(base, read(l), l));
  for (const [key, text] of Object.entries(base)) if (text === '') problems.push(`${baseLocale}: "${key}" is empty`);
  const sources = [
    ...sourcesUnder(path.resolve(import.meta.dirname, '../src')),
    ...sourcesUnder(path.resolve(CATALOGUE_DIR, '..', '..')),
  ];
  for (const key of unusedKeys(Object.keys(base), sources)) problems.push(`"${key}" is used nowhere: remove it`);
  if (problems.length > 0) {
    console.error(`Message catalogue (${CATALOGUE_DIR}):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  compileMessages();
}

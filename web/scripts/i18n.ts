/**
 * The message catalogue's one configuration (Paraglide JS 2): the build (web/vite.config.ts), the test runner
 * (vitest.config.ts) and `npm run check` (check-messages.ts) all compile it with compileMessages().
 * The catalogue itself lives in supabase/functions/_shared/i18n/<locale>.json so the Edge Functions read the
 * same texts (notification titles in the team's language).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const WEB_DIR = path.resolve(import.meta.dirname, '..');

/** Where the catalogues live: one flat JSON object per locale, `{name}` placeholders. */
export const CATALOGUE_DIR = path.resolve(WEB_DIR, '../supabase/functions/_shared/i18n');

/** The locales the app ships; the first is the base (fallback) locale. */
export const LOCALES = ['en', 'ko'] as const;

/**
 * Compiler options. The server sets each request's locale itself (hooks.server.ts, AsyncLocalStorage); the
 * browser takes the one the server chose from the root layout's data (routes/+layout.ts sets the global
 * variable), so SSR and hydration always agree and nothing reads navigator or cookies on its own.
 */
export const paraglideOptions = {
  project: path.join(WEB_DIR, 'project.inlang'),
  outdir: path.join(WEB_DIR, 'src/lib/paraglide'),
  strategy: ['globalVariable', 'baseLocale'] as ('globalVariable' | 'baseLocale')[],
  emitReadme: false,
  // Typed for plain tsc too (the root project type-checks tests that import web modules using messages).
  emitTsDeclarations: true,
  emitPrettierIgnore: false,
};

/** Holds the digest of the inputs the output in outdir was compiled from. */
export const STAMP = path.join(paraglideOptions.outdir, '.inputs');

/** A digest of everything the compiled output depends on. */
export function inputsDigest(): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(paraglideOptions));
  hash.update(readFileSync(path.join(paraglideOptions.project, 'settings.json')));
  hash.update(readFileSync(path.resolve(WEB_DIR, '../node_modules/@inlang/paraglide-js/package.json')));
  for (const locale of LOCALES) hash.update(readFileSync(path.join(CATALOGUE_DIR, `${locale}.json`)));
  return hash.digest('hex');
}

/**
 * Compiles the catalogue into typed message functions (src/lib/paraglide), unless the output is already that
 * of the current inputs: a compile costs seconds (the inlang SDK loads a SQLite database), a check costs none.
 * The compile runs in a child process (compile-messages.ts): the SDK leaves timers behind that would keep the
 * caller (a build, a test run) alive for half a minute.
 */
export function compileMessages(): void {
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputsDigest()) return;
  execFileSync(process.execPath, [path.join(import.meta.dirname, 'compile-messages.ts')], { stdio: 'inherit' });
}

/** Records that the output now matches the inputs (compile-messages.ts, after a compile). */
export function stampCompiled(): void {
  writeFileSync(STAMP, inputsDigest());
}

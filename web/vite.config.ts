import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { compileMessages } from './scripts/i18n.ts';

// VIBE_WEB_BUILD_DIR builds somewhere other than web/build (scripts/build.ts), so two builds of different
// purposes never pull files from under each other's running server.
const privateDir = process.env.VIBE_WEB_BUILD_DIR;

// The message catalogue (supabase/functions/_shared/i18n) as typed functions in src/lib/paraglide, when stale.
// Not Paraglide's Vite plugin: it recompiles on every build and its watcher outlives test runs.
compileMessages();

export default defineConfig({
  // $shared: the Edge Functions' runtime-neutral code (cache keys, hybrid storage, generated Database types).
  // A Vite alias because Kit's own `alias` option is deprecated and subpath imports (#lib) cannot point
  // outside the package; web/tsconfig.json and the root vitest.config.ts mirror it.
  resolve: { alias: { $shared: fileURLToPath(new URL('../supabase/functions/_shared', import.meta.url)) } },
  plugins: [
    sveltekit({
      adapter: adapter({ out: privateDir ? `${privateDir}/build` : 'build', precompress: true }),
      ...(privateDir ? { outDir: `${privateDir}/kit` } : {}),
      // adapter-node 6 assumes https unless a proxy header says otherwise, so Kit's origin check would refuse
      // every form post on plain-http installs; src/lib/server/csrf.ts checks Origin against Host instead.
      csrf: { trustedOrigins: ['*'] },
      // Pages' Content Security Policy. Kit adds a fresh nonce per response to script-src and style-src (and
      // app.html's theme script carries it as %sveltekit.nonce%). connect-src depends on the Supabase URL
      // given at run time, so hooks.server.ts adds it (src/lib/server/security-headers.ts).
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self'],
          // Style attributes only (style elements still need Kit's nonce). Svelte builds markup from HTML
          // templates, so a static style="…" (Kit's route announcer, app.html's wrapper, LayerChart's SVG and
          // tooltips) is parsed, not set through CSSOM, and Chromium blocks it without this: the announcer then
          // shows on screen and charts lose their layout. An injected style attribute can restyle only its
          // own element (no selectors, so no CSS-based reading of the page) and url()s stay limited by img-src
          // and font-src.
          'style-src-attr': ['unsafe-inline'],
          'img-src': ['self', 'data:'],
          'font-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
});

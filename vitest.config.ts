import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Web code imports the functions' shared code as $shared/… (web/vite.config.ts); tests import web code.
  resolve: { alias: { $shared: fileURLToPath(new URL('./supabase/functions/_shared', import.meta.url)) } },
  test: {
    include: ['stack/**/*.test.ts', 'agent/**/*.test.ts', 'bench/**/*.test.ts', 'supabase/**/*.test.ts', 'web/**/*.test.ts', 'tests/**/*.test.ts', 'start/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['stack/test/global-setup.ts'],
    testTimeout: 30000,
    hookTimeout: 120000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['stack/**/*.test.ts', 'agent/**/*.test.ts', 'bench/**/*.test.ts', 'supabase/**/*.test.ts', 'web/**/*.test.ts', 'tests/**/*.test.ts', 'start/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['stack/test/global-setup.ts'],
    testTimeout: 30000,
    hookTimeout: 120000,
    pool: 'forks',
  },
});

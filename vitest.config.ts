import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { compileMessages } from './web/scripts/i18n.ts';

/**
 * Three lanes (vitest projects); `npm test` runs all three, `npm run test:unit|test:integration|test:slow` one.
 * - unit: pure logic (parsers, payload builders, state machines). Membership rule: the file, and the test
 *   helpers it imports, never call inject('stack') and start no process (stack, Postgres, redis-server, Deno,
 *   the agent or web app, Chromium, CLIs). In-process HTTP servers and temporary files are fine. No global setup.
 * - slow: fault tests that start a whole fresh stack of their own and break it (tests/system/faults), and the
 *   browser tests (Chromium against the built web app).
 * - integration: everything else; the shared stack from the global setup. A new test file lands here by default.
 */
const unit = [
  'agent/test/cli-args.test.ts',
  'agent/test/collect/containers-processes.test.ts',
  'agent/test/collect/parsers.test.ts',
  'agent/test/collect/sampler.test.ts',
  'agent/test/otlp-decode.test.ts',
  'agent/test/otlp-derive.test.ts',
  'agent/test/otlp-receiver.test.ts',
  'agent/test/run/scheduler.test.ts',
  'agent/test/run/send-policy.test.ts',
  'agent/test/run/shutdown.test.ts',
  'agent/test/send/client.test.ts',
  'agent/test/send/pure.test.ts',
  'agent/test/send/queue.test.ts',
  'stack/test/auth-totp.test.ts',
  'stack/test/auth-validate.test.ts',
  'stack/test/cron-schedule.test.ts',
  'stack/test/functions-parsers.test.ts',
  'stack/test/keys-verify.test.ts',
  'stack/test/realtime-units.test.ts',
  'stack/test/redis-protocol.test.ts',
  'stack/test/rest-parser.test.ts',
  'stack/test/rest-session.test.ts',
  'supabase/tests/channel-payloads.test.ts',
  'supabase/tests/functions-anomaly-synthetic.test.ts',
  'tests/system/bad-input-otlp.test.ts',
  'tests/system/deploy-plan.test.ts',
  'web/test/agent-version.test.ts',
  'web/test/api-units.test.ts',
  'web/test/channel-fields.test.ts',
  'web/test/dashboard-units.test.ts',
  'web/test/i18n-units.test.ts',
  'web/test/redirect-target.test.ts',
  'web/test/security-headers.test.ts',
];
const slow = ['tests/system/faults/**/*.test.ts', 'web/test/e2e*.test.ts', 'web/test/services-panel.test.ts'];
const all = [
  'stack/**/*.test.ts',
  'agent/**/*.test.ts',
  'bench/**/*.test.ts',
  'supabase/**/*.test.ts',
  'web/**/*.test.ts',
  'tests/**/*.test.ts',
  'start/**/*.test.ts',
  'testkit/**/*.test.ts',
];
const globalSetup = ['stack/test/global-setup.ts'];

// Web code imports its compiled message functions (#lib/paraglide): compiled (when stale) before any test loads.
compileMessages();

export default defineConfig({
  // Web code imports the functions' shared code as $shared/… (web/vite.config.ts); tests import web code.
  resolve: { alias: { $shared: fileURLToPath(new URL('./supabase/functions/_shared', import.meta.url)) } },
  test: {
    exclude: ['**/node_modules/**'],
    testTimeout: 30000,
    hookTimeout: 120000,
    pool: 'forks',
    // Most test time is waiting on the stack's processes (Postgres, Deno, the web app), not on this process's CPU:
    // three files at once keep a 2-core machine busy (vitest's default there would be one).
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: { name: 'integration', include: all, exclude: ['**/node_modules/**', ...unit, ...slow], globalSetup },
      },
      { extends: true, test: { name: 'slow', include: slow, globalSetup } },
    ],
  },
});

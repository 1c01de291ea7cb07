/**
 * The stack's public entry: what start-up and tests of the whole system import to run it. With
 * `supabase-cli.ts` (the CLI helpers `npm run deploy` shares), the only files outside stack/ may import;
 * everything else under stack/src is the emulator's inside.
 */
export { loadConfig, type StackConfig } from './config.ts';
export { startStack, type RunningStack, type StackEnv, type StartOptions } from './stack.ts';
export { onSignals } from './signals.ts';

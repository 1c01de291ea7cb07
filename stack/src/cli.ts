/** `npm run stack`: the local Supabase-compatible stack alone, in the foreground, until a signal stops it. */
import { loadConfig } from './config.ts';
import { onSignals } from './signals.ts';
import { startStack, type RunningStack } from './stack.ts';

const args = process.argv.slice(2);
// `stack` is what `npm run stack` once passed; `start` was the product start-up, which lives in start/ now.
if (args.length > 1 || (args[0] !== undefined && args[0] !== 'stack')) {
  process.stderr.write(
    `stack/src/cli.ts runs the stack alone and takes no arguments (got: ${args.join(' ')}); npm start runs the whole product (start/src/cli.ts)\n`,
  );
  process.exit(2);
}
const config = loadConfig();
const t0 = performance.now();
let stack: RunningStack;
try {
  stack = await startStack(config, {
    log: (line) => process.stdout.write(`${line}\n`),
    functionLogs: (line) => process.stderr.write(`${line}\n`),
  });
} catch (err) {
  process.stderr.write(`Stack failed to start: ${(err as Error).message}\n`);
  process.exit(1);
}
onSignals(() => stack.stop());
process.stdout.write(`API gateway: ${stack.env.SUPABASE_URL}\n`);
process.stdout.write(`Env file:    ${config.dataDir}/stack.env\n`);
process.stdout.write(`Started in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
process.stdout.write('ready\n');

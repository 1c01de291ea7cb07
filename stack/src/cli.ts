/** `npm run stack` (the stack alone, foreground) and `npm start` (stack, web app and a local agent). */
import { loadConfig } from './config.ts';
import { startStack, type RunningStack } from './stack.ts';

const command = process.argv[2] ?? 'stack';

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}

async function runStack(): Promise<void> {
  const config = loadConfig();
  const t0 = performance.now();
  let stack: RunningStack;
  try {
    stack = await startStack(config, { log: (line) => process.stdout.write(`${line}\n`) });
  } catch (err) {
    process.stderr.write(`Stack failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  onSignals(() => stack.stop());
  process.stdout.write(`API gateway: ${stack.env.SUPABASE_URL}\n`);
  process.stdout.write(`Env file:    ${config.dataDir}/stack.env\n`);
  process.stdout.write(`Started in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  process.stdout.write('ready\n');
}

async function runProduct(): Promise<void> {
  const config = loadConfig();
  const { startProduct } = await import('./product/start.ts');
  let stopping = false;
  let product: Awaited<ReturnType<typeof startProduct>>;
  try {
    product = await startProduct(
      config,
      (line) => process.stdout.write(`${line}\n`),
      (child, code) => {
        if (stopping) return;
        process.stderr.write(`The ${child.name} process exited (code ${code}); stopping everything\n`);
        stopping = true;
        void product.stop().then(() => process.exit(1));
      },
    );
  } catch (err) {
    process.stderr.write(`Start failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
  onSignals(async () => {
    stopping = true;
    await product.stop();
  });
  process.stdout.write(`API gateway: ${product.stack.env.SUPABASE_URL}\n`);
  process.stdout.write(`Dashboard: ${product.dashboardUrl}\n`);
  process.stdout.write(`Demo login: ${product.login.email} / ${product.login.password} (kept in ${config.dataDir}/demo.json)\n`);
  process.stdout.write('ready\n');
}

await (command === 'start' ? runProduct() : runStack());

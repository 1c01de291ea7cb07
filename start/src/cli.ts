/** `npm start`: the local stack, the dashboard and an enrolled agent for this machine, until a signal stops them together. */
import { loadConfig, onSignals } from '../../stack/src/index.ts';
import { startProduct, type RunningProduct } from './start.ts';

const config = loadConfig();
let stopping = false;
let product: RunningProduct;
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
process.stdout.write(
  `Demo login: ${product.login.email} / ${product.login.password} (kept in ${config.dataDir}/demo.json)\n`,
);
process.stdout.write('ready\n');

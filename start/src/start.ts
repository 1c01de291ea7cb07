/** `npm start`: the stack, the built web app and an agent for this machine, started and stopped together. */
import path from 'node:path';
import { startStack, type RunningStack, type StackConfig } from '../../stack/src/index.ts';
import { ensureWebBuild } from '../../web/scripts/build.ts';
import { startChild, type Child } from './children.ts';
import { ensureMonitorRole, writeDemoChecks } from './demo-checks.ts';
import { ensureDemoLogin, ensureLocalAgent, type DemoLogin } from './demo.ts';
import { serveWeb } from './web.ts';

export interface RunningProduct {
  readonly stack: RunningStack;
  readonly dashboardUrl: string;
  readonly login: DemoLogin;
  readonly children: readonly Child[];
  stop(): Promise<void>;
}

/** Starts everything; `log` receives progress lines. Any child that exits early is reported through `onChildExit`. */
export async function startProduct(
  config: StackConfig,
  log: (line: string) => void,
  onChildExit: (child: Child, code: number | null) => void,
): Promise<RunningProduct> {
  const stack = await startStack(config, { log, functionLogs: (line) => process.stderr.write(`${line}\n`) });
  const children: Child[] = [];
  const stop = async () => {
    // The agent first, so its final flush still reaches the stack; then the web app; then the stack.
    for (const child of [...children].reverse()) await child.stop();
    await stack.stop();
  };
  try {
    const env = stack.env;
    await ensureWebBuild({ log });
    const login = await ensureDemoLogin(config.dataDir, env);
    const webPort = Number(process.env.VIBE_WEB_PORT ?? 3000);
    const web = serveWeb(config.host, webPort, {
      PUBLIC_SUPABASE_URL: env.SUPABASE_URL,
      PUBLIC_SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
      // Server-only: Auth then limits sign-ins per visitor address, not per dashboard (web/README.md).
      SUPABASE_SECRET_KEY: env.SUPABASE_SECRET_KEY,
    });
    children.push(web);
    const dashboardUrl = `http://${config.host}:${webPort}`;
    const agentConfig = await ensureLocalAgent(config.projectDir, config.dataDir, env, login);
    writeDemoChecks(agentConfig, await ensureMonitorRole(env.SUPABASE_DB_URL), dashboardUrl);
    const agent = startChild(
      'agent',
      process.execPath,
      [path.join(config.projectDir, 'agent', 'src', 'cli.ts'), 'run', '--config', agentConfig],
      {
        cwd: config.projectDir,
        env: { ...process.env, VIBE_AGENT_DATA_DIR: path.dirname(agentConfig) },
      },
    );
    children.push(agent);
    for (const child of children) void child.exited.then((code) => onChildExit(child, code));
    return { stack, dashboardUrl, login, children, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

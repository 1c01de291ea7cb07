/** Serves the built dashboard (adapter-node's `build/index.js`) beside the stack. */
import { WEB_DIR, webServerEntry } from '../../web/scripts/build.ts';
import { startChild, type Child } from './children.ts';

/** Starts `node web/build/index.js` on `host:port` with the public Supabase settings and the cache endpoint. */
export function serveWeb(host: string, port: number, env: Record<string, string>): Child {
  return startChild('web', process.execPath, [webServerEntry()], {
    cwd: WEB_DIR,
    env: { ...process.env, ...env, HOST: host, PORT: String(port), ORIGIN: `http://${host}:${port}` },
  });
}

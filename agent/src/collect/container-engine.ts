/** Names and images of containers from the Docker or Podman Engine API on a unix socket (GET /containers/json). */
import http from 'node:http';

/** What the engine says about one container. */
export interface EngineContainer {
  id: string;
  name: string;
  image: string;
  /** True in the host's network namespace: its /proc/<pid>/net/dev is the host's, not its own. */
  hostNetwork: boolean;
}

/** Sockets tried in order when none is configured: Docker, rootful Podman, then the user's rootless Podman. */
export function defaultSockets(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = ['/var/run/docker.sock', '/run/podman/podman.sock'];
  if (env.XDG_RUNTIME_DIR) list.push(`${env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return list;
}

/** The fields of a /containers/json entry this agent reads (Docker Engine API ≥ 1.24; Podman's compatible API). */
interface ContainerSummary {
  Id?: unknown;
  Names?: unknown;
  Image?: unknown;
  HostConfig?: { NetworkMode?: unknown };
}

/** Parses a /containers/json body: entries without an Id are skipped, names lose their leading slash. */
export function parseContainerList(body: string): EngineContainer[] {
  const list = JSON.parse(body) as unknown;
  if (!Array.isArray(list)) throw new Error('Cannot read the container list: expected a JSON array');
  const out: EngineContainer[] = [];
  for (const c of list as ContainerSummary[]) {
    if (typeof c?.Id !== 'string') continue;
    const names = Array.isArray(c.Names) ? c.Names.filter((n): n is string => typeof n === 'string') : [];
    out.push({
      id: c.Id,
      // Within the container_samples column limits (256 and 512 characters).
      name: (names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '').slice(0, 256),
      image: typeof c.Image === 'string' ? c.Image.slice(0, 512) : '',
      hostNetwork: c.HostConfig?.NetworkMode === 'host',
    });
  }
  return out;
}

/** GET <path> on a unix socket; rejects on a non-2xx status, a socket error or after `timeoutMs`. */
export function unixGet(socketPath: string, path: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method: 'GET', headers: { host: 'localhost' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(body);
        else reject(new Error(`${socketPath} answered ${status} to GET ${path}: ${body.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${socketPath} did not answer GET ${path} in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Running containers from the first socket that answers; null when none is readable. */
export async function listEngineContainers(sockets: readonly string[]): Promise<EngineContainer[] | null> {
  for (const socket of sockets) {
    try {
      return parseContainerList(await unixGet(socket, '/containers/json'));
    } catch {
      // Absent, no permission (the docker group), or not an engine: try the next one.
    }
  }
  return null;
}

/**
 * `vibe-agent update`: asks the dashboard for its agent (`GET <dashboard>/agent/version`), and when
 * that differs from this one downloads the executable for this architecture, checks its size and
 * sha256, and replaces this executable atomically: written beside it, fsynced, renamed over it,
 * directory fsynced. A crash at any point leaves the old executable or the new one, never half of one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { agentVersionString, type AgentVersion } from '../version.ts';

/** What the dashboard serves at /agent/version (agent/dist/version.json). */
export interface DashboardAgent {
  version: string;
  build: string;
  files: Partial<Record<'x64' | 'arm64', { file: string; sha256: string; size: number }>>;
}

/** The outcome of an update. */
export interface UpdateResult {
  /** This agent's version string before. */
  from: string;
  /** The dashboard's version string. */
  to: string;
  updated: boolean;
}

/** This machine's architecture as the executables are named; anything else is an error. */
export function agentArch(arch: string = process.arch): 'x64' | 'arm64' {
  if (arch === 'x64' || arch === 'arm64') return arch;
  throw new Error(`No vibe-agent executable for the ${arch} architecture (only x64 and arm64 are built)`);
}

/** The dashboard URL, checked: http or https, no credentials; trailing slashes dropped. */
export function dashboardBase(raw: string | undefined): string {
  if (!raw)
    throw new Error(
      'No dashboard URL to update from: set "dashboardUrl" in the config file or VIBE_AGENT_DASHBOARD_URL (install.sh sets it)',
    );
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`Invalid dashboard URL "${raw}": expected http(s)://host[:port]`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password)
    throw new Error(`Invalid dashboard URL "${raw}": expected http(s)://host[:port] without credentials`);
  return u.href.replace(/\/+$/, '');
}

/** Reads and checks the dashboard's /agent/version answer. */
export function parseDashboardAgent(raw: unknown): DashboardAgent {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (typeof o.version !== 'string' || typeof o.build !== 'string' || !o.files || typeof o.files !== 'object')
    throw new Error(
      `The dashboard's /agent/version answer lacks version, build or files: ${JSON.stringify(raw)?.slice(0, 200)}`,
    );
  const files: DashboardAgent['files'] = {};
  for (const [arch, f] of Object.entries(o.files as Record<string, unknown>)) {
    const e = (f ?? {}) as Record<string, unknown>;
    if (arch !== 'x64' && arch !== 'arm64') continue;
    if (typeof e.file !== 'string' || !/^[0-9a-f]{64}$/.test(String(e.sha256)) || !Number.isInteger(e.size))
      throw new Error(`The dashboard's /agent/version entry for ${arch} is malformed: ${JSON.stringify(f)}`);
    files[arch] = { file: e.file, sha256: String(e.sha256), size: Number(e.size) };
  }
  return { version: o.version, build: o.build, files };
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return res.json();
}

/** Streams `url` into a new file `tmp` (fsynced, mode 0755) and returns its sha256 and size. */
async function download(url: string, tmp: string): Promise<{ sha256: string; size: number }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  const hash = createHash('sha256');
  const fd = fs.openSync(tmp, 'wx', 0o755);
  let size = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o755);
  return { sha256: hash.digest('hex'), size };
}

/** Replaces `target` with `tmp` in one rename and fsyncs the directory so the rename survives a crash. */
export function replaceAtomically(tmp: string, target: string): void {
  fs.renameSync(tmp, target);
  const dir = fs.openSync(path.dirname(target), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** What `update` works with. */
export interface UpdateOptions {
  dashboardUrl: string | undefined;
  /** The running agent's version. */
  current: AgentVersion;
  /** The executable to replace (process.execPath of the single executable). */
  executable: string;
  /** Only say whether there is an update. */
  checkOnly?: boolean;
  arch?: string;
}

/** Compares with the dashboard and, unless checkOnly, installs its agent in place of `executable`. */
export async function updateAgent(o: UpdateOptions): Promise<UpdateResult> {
  const base = dashboardBase(o.dashboardUrl);
  const remote = parseDashboardAgent(await getJson(`${base}/agent/version`));
  const from = agentVersionString(o.current);
  const to = `${remote.version}+${remote.build}`;
  if (from === to || o.checkOnly) return { from, to, updated: false };
  if (!o.current.compiled)
    throw new Error(
      'This agent runs from the TypeScript sources: update the checkout instead (vibe-agent update replaces the single executable)',
    );
  const arch = agentArch(o.arch);
  const entry = remote.files[arch];
  if (!entry) throw new Error(`The dashboard at ${base} serves no ${arch} executable (agent/dist has none)`);
  const tmp = path.join(path.dirname(o.executable), `.${path.basename(o.executable)}.update-${process.pid}`);
  try {
    const got = await download(`${base}/agent/${encodeURIComponent(entry.file)}`, tmp);
    if (got.size !== entry.size || got.sha256 !== entry.sha256)
      throw new Error(
        `Checksum mismatch for ${entry.file}: expected sha256 ${entry.sha256} (${entry.size} bytes), got ${got.sha256} (${got.size} bytes); nothing was replaced`,
      );
    replaceAtomically(tmp, o.executable);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { from, to, updated: true };
}

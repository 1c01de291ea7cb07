/**
 * What the dashboard serves to install and update the agent (issue 14): `GET /install.sh` (agent/install.sh
 * with this dashboard's address and project filled in), `GET /agent/version` (version.json) and
 * `GET /agent/vibe-agent-linux-<arch>[.sha256]`, all read from the folder `npm run build:agent` writes
 * (agent/dist, or VIBE_AGENT_DIST).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ApiError } from './api-error.ts';

/** The files /agent/<file> may serve. */
export const AGENT_FILES = new Set(
  ['x64', 'arm64'].flatMap((a) => [`vibe-agent-linux-${a}`, `vibe-agent-linux-${a}.sha256`]),
);

/** The folder with the built agent: `configured`, else agent/dist under the working directory or its parent. */
export function agentDistDir(configured: string | undefined, cwd: string = process.cwd()): string {
  if (configured) return path.resolve(configured);
  const candidates = [path.join(cwd, 'agent', 'dist'), path.join(cwd, '..', 'agent', 'dist')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'version.json'))) ?? candidates[0]!;
}

function missing(dir: string, what: string): ApiError {
  return new ApiError(
    404,
    'agent_not_built',
    `No ${what} in ${dir}: run "npm run build:agent" on the dashboard's server, or point VIBE_AGENT_DIST at the folder it wrote`,
  );
}

// What goes between single quotes in the script: URLs and keys, never a quote, space or shell character.
const SAFE = /^[A-Za-z0-9:/._~%@+=[\]-]{1,2048}$/;

/** agent/install.sh with the dashboard's origin, the project URL and the anon key filled in. */
export function installScript(dir: string, values: { dashboard: string; supabaseUrl: string; key: string }): string {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'install.sh'), 'utf8');
  } catch {
    throw missing(dir, 'install.sh');
  }
  for (const [name, v] of Object.entries(values))
    if (!SAFE.test(v))
      throw new ApiError(
        500,
        'bad_install_value',
        `Cannot serve install.sh: the ${name} holds characters a shell script cannot carry`,
      );
  return text
    .replace("'@DASHBOARD_URL@'", `'${values.dashboard}'`)
    .replace("'@SUPABASE_URL@'", `'${values.supabaseUrl}'`)
    .replace("'@SUPABASE_KEY@'", `'${values.key}'`);
}

/** version.json as written by the build (version, build, sha256 and size per architecture). */
export function agentVersion(dir: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'version.json'), 'utf8')) as unknown;
  } catch {
    throw missing(dir, 'version.json');
  }
}

/** One of AGENT_FILES as a streamed response; anything else is a 404 naming what exists. */
export function agentFile(dir: string, name: string): Response {
  if (!AGENT_FILES.has(name))
    throw new ApiError(
      404,
      'not_found',
      `No agent file "${name}": use vibe-agent-linux-x64 or vibe-agent-linux-arm64, optionally with .sha256`,
    );
  const file = path.join(dir, name);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw missing(dir, name);
  }
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'content-type': name.endsWith('.sha256') ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'content-length': String(size),
      'cache-control': 'no-cache',
      ...(name.endsWith('.sha256') ? {} : { 'content-disposition': `attachment; filename="${name}"` }),
    },
  });
}

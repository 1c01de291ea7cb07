/**
 * `npm run build:agent`: the single executables `agent/dist/vibe-agent-linux-{x64,arm64}`, each with
 * a `.sha256` beside it, `agent/dist/version.json` (version, build id, checksum and size per
 * architecture) that the dashboard serves at /agent/version, and a copy of agent/install.sh.
 *
 * Bun (the `bun` devDependency) bundles the TypeScript sources and appends them to a Bun runtime of
 * the target architecture. The x64 runtime is the one npm installed; the arm64 one comes from the
 * `@oven/bun-linux-aarch64` package of the same version, fetched once with `npm pack` (npm's own
 * client and cache) into agent/.cache, so the build never downloads anything else.
 *
 * Options: `--out <dir>` (default agent/dist), `--arch x64|arm64` (repeatable; default both).
 * Environment: VIBE_AGENT_BUILD_ID (default: git commit and UTC time).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const AGENT_DIR = path.resolve(import.meta.dirname, '..');
const ROOT = path.resolve(AGENT_DIR, '..');
const CACHE_DIR = path.join(AGENT_DIR, '.cache');

/** The architectures built, with Bun's target name and the npm package holding that runtime. */
export const ARCHES = {
  x64: { target: 'bun-linux-x64', pkg: '@oven/bun-linux-x64' },
  arm64: { target: 'bun-linux-arm64', pkg: '@oven/bun-linux-aarch64' },
} as const;
export type Arch = keyof typeof ARCHES;

/** Runs a program to its end (without blocking the event loop: the test setup builds beside the stack's start). */
function run(
  cmd: string,
  args: string[],
  cwd = ROOT,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function isExecutable(file: string): boolean {
  try {
    return fs.statSync(file).size > 1_000_000;
  } catch {
    return false;
  }
}

/** The Bun that runs the build (npm's postinstall moves the platform binary into the `bun` package). */
function hostBun(): string {
  const candidates = [
    path.join(ROOT, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'),
    path.join(ROOT, 'node_modules', 'bun', 'bin', 'bun.exe'),
  ];
  const found = candidates.find(isExecutable);
  if (!found) throw new Error(`No Bun binary in node_modules (looked at ${candidates.join(', ')}): run "npm ci"`);
  return found;
}

/** The Bun runtime for `arch`, version `version`: from node_modules when it is the host's, else unpacked from npm into agent/.cache. */
async function runtimeFor(arch: Arch, version: string, bun: string): Promise<string> {
  if (arch === 'x64' && process.arch === 'x64') return bun;
  const { pkg } = ARCHES[arch];
  const dir = path.join(CACHE_DIR, `${pkg.replace('@oven/', '')}-${version}`);
  const binary = path.join(dir, 'package', 'bin', 'bun');
  if (isExecutable(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  process.stdout.write(`Fetching ${pkg}@${version} with npm pack (once; kept in ${path.relative(ROOT, dir)})\n`);
  const packed = await run('npm', [
    'pack',
    `${pkg}@${version}`,
    '--pack-destination',
    dir,
    '--prefer-offline',
    '--json',
    '--silent',
  ]);
  if (packed.status !== 0)
    throw new Error(
      `npm pack ${pkg}@${version} failed (exit ${packed.status}): the npm registry or npm's cache must have it\n${packed.stderr}`,
    );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const untar = await run('tar', ['-xzf', path.join(dir, path.basename(filename)), '-C', dir, 'package/bin/bun']);
  if (untar.status !== 0) throw new Error(`Cannot unpack ${filename}: ${untar.stderr}`);
  fs.rmSync(path.join(dir, path.basename(filename)));
  if (!isExecutable(binary)) throw new Error(`${pkg}@${version} holds no package/bin/bun`);
  return binary;
}

async function defaultBuildId(): Promise<string> {
  const time = new Date().toISOString().replace(/[-:]/g, '').slice(0, 13);
  const git = await run('git', ['rev-parse', '--short=12', 'HEAD']).catch(() => null);
  return git?.status === 0 ? `${git.stdout.trim()}-${time}` : time;
}

export interface BuildResult {
  version: string;
  build: string;
  files: Partial<Record<Arch, { file: string; sha256: string; size: number }>>;
}

/** Builds the executables for `arches` into `outDir`; returns what version.json says. */
export async function buildAgent(
  outDir: string,
  arches: Arch[] = ['x64', 'arm64'],
  buildId?: string,
): Promise<BuildResult> {
  buildId ??= process.env.VIBE_AGENT_BUILD_ID || (await defaultBuildId());
  const { version } = JSON.parse(fs.readFileSync(path.join(AGENT_DIR, 'package.json'), 'utf8')) as { version: string };
  const bun = hostBun();
  const bunVersion = (await run(bun, ['--version'])).stdout.trim();
  fs.mkdirSync(outDir, { recursive: true });
  const result: BuildResult = { version, build: buildId, files: {} };
  for (const arch of arches) {
    const name = `vibe-agent-linux-${arch}`;
    const outfile = path.join(outDir, name);
    const tmp = `${outfile}.tmp`;
    const build = await run(bun, [
      'build',
      '--compile',
      `--target=${ARCHES[arch].target}`,
      `--compile-executable-path=${await runtimeFor(arch, bunVersion, bun)}`,
      '--minify',
      '--no-compile-autoload-dotenv',
      '--no-compile-autoload-bunfig',
      // pg's optional native binding: never installed, never loaded (pg falls back to its JS client).
      '--external=pg-native',
      `--define=VIBE_AGENT_BUILD=${JSON.stringify({ version, build: buildId })}`,
      `--outfile=${tmp}`,
      path.join(AGENT_DIR, 'src', 'cli.ts'),
    ]);
    if (build.status !== 0) throw new Error(`bun build for ${arch} failed:\n${build.stdout}${build.stderr}`);
    fs.renameSync(tmp, outfile);
    const bytes = await fs.promises.readFile(outfile);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(`${outfile}.sha256`, `${sha256}  ${name}\n`);
    result.files[arch] = { file: name, sha256, size: bytes.length };
  }
  // The installer goes beside them: the dashboard serves the whole folder (web/src/lib/server/agent-dist.ts).
  fs.copyFileSync(path.join(AGENT_DIR, 'install.sh'), path.join(outDir, 'install.sh'));
  fs.writeFileSync(path.join(outDir, 'version.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, arch: { type: 'string', multiple: true } },
    strict: true,
  });
  const arches = (values.arch ?? ['x64', 'arm64']) as Arch[];
  for (const a of arches) if (!(a in ARCHES)) throw new Error(`Unknown --arch ${a}: use x64 or arm64`);
  const out = path.resolve(values.out ?? path.join(AGENT_DIR, 'dist'));
  const r = await buildAgent(out, arches);
  for (const [arch, f] of Object.entries(r.files))
    process.stdout.write(
      `${path.join(out, f.file)}  ${(f.size / 2 ** 20).toFixed(1)} MiB  sha256 ${f.sha256} (${arch})\n`,
    );
  process.stdout.write(`vibe-agent ${r.version} build ${r.build}\n`);
}

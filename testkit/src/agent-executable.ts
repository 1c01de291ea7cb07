/**
 * The single executable the tests run (issue 14): built once per test run by the global setup, for
 * this machine's architecture, with the same build script as `npm run build:agent`, into
 * agent/.vibe-test (so a build in agent/dist is never disturbed by tests).
 */
import path from 'node:path';
import { buildAgent } from '../../agent/scripts/build.ts';

/** Where the tests' executable, version.json and install.sh go; the tests' web server serves this folder. */
export const TEST_AGENT_DIST = path.resolve(import.meta.dirname, '..', '..', 'agent', '.vibe-test');
const outDir = TEST_AGENT_DIST;

/** Builds the executable for this machine and returns its absolute path. */
export async function buildTestAgent(): Promise<string> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const r = await buildAgent(outDir, [arch], 'test');
  return path.join(outDir, r.files[arch]!.file);
}

/**
 * The agent's version and build id. The executable has both baked in by `npm run build:agent`
 * (bun build --define); run from the TypeScript sources, the version is agent/package.json's and
 * the build is "source".
 */
import fs from 'node:fs';
import path from 'node:path';

declare const VIBE_AGENT_BUILD: { version: string; build: string } | undefined;

/** What `vibe-agent --version` prints and what the agent reports to the dashboard. */
export interface AgentVersion {
  version: string;
  build: string;
  /** Whether this process is the single executable (not node running the sources). */
  compiled: boolean;
}

function fromSources(): AgentVersion {
  const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { version: pkg.version, build: 'source', compiled: false };
}

/** This agent's version. */
export const AGENT_VERSION: AgentVersion =
  typeof VIBE_AGENT_BUILD === 'undefined' ? fromSources() : { ...VIBE_AGENT_BUILD, compiled: true };

/** The version as the dashboard compares it: `<version>+<build>` (semver build metadata). */
export function agentVersionString(v: AgentVersion = AGENT_VERSION): string {
  return `${v.version}+${v.build}`;
}

/** The VIBE_AGENT_* environment that runs an agent against a test stack with everything from variables (no config file). */
import path from 'node:path';
import type { AgentCredential } from './provision.ts';

/** Where the agent sends, what it signs in with, and where it keeps its queue. */
export interface AgentEnvOptions {
  /** Base URL the agent talks to; default the stack's (a TCP proxy's, to cut the link). */
  url?: string;
  /** The agent's data directory (queue, status file); config.json in it is never written, so variables rule. */
  dataDir: string;
  /** Further VIBE_AGENT_* settings (intervals, log level, OTLP), added last. */
  extra?: Record<string, string>;
}

/** Builds the environment for `vibe-agent run` as `host`'s agent against the stack at `env`. */
export function agentEnv(
  env: { SUPABASE_URL: string; SUPABASE_ANON_KEY: string },
  host: AgentCredential,
  opts: AgentEnvOptions,
): Record<string, string> {
  return {
    VIBE_AGENT_CONFIG: path.join(opts.dataDir, 'config.json'),
    VIBE_AGENT_URL: opts.url ?? env.SUPABASE_URL,
    VIBE_AGENT_KEY: env.SUPABASE_ANON_KEY,
    VIBE_AGENT_HOST_ID: host.hostId,
    VIBE_AGENT_EMAIL: host.email,
    VIBE_AGENT_PASSWORD: host.password,
    VIBE_AGENT_DATA_DIR: opts.dataDir,
    ...opts.extra,
  };
}

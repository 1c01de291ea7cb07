/** How a host's agent compares with the agent this dashboard serves (GET /agent/version). */

/** `current`: same version and build; `outdated`: older, or the same version from another build; `newer`: a later version; `unknown`: nothing reported (or no dashboard build). */
export type AgentVersionState = 'current' | 'outdated' | 'newer' | 'unknown';

function core(v: string): number[] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Compares `reported` (hosts.agent_version, `<semver>+<build>`) with the dashboard's `<version>+<build>`. */
export function agentVersionState(
  reported: string | null | undefined,
  served: string | null | undefined,
): AgentVersionState {
  if (!reported || !served) return 'unknown';
  if (reported === served) return 'current';
  const a = core(reported);
  const b = core(served);
  if (a && b) {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? 'newer' : 'outdated';
  }
  return 'outdated';
}

/** The version without its build id, for display. */
export function shortVersion(v: string): string {
  return v.split('+')[0]!;
}

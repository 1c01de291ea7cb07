import { describe, expect, it } from 'vitest';
import { agentVersionState, shortVersion } from '../src/lib/agent-version.ts';

describe('agent version on the Hosts page', () => {
  it('flags agents older than, or built differently from, what the dashboard serves', () => {
    expect(agentVersionState('0.1.0+abc', '0.1.0+abc')).toBe('current');
    expect(agentVersionState('0.1.0+abc', '0.1.0+def')).toBe('outdated');
    expect(agentVersionState('0.1.0+abc', '0.2.0+def')).toBe('outdated');
    expect(agentVersionState('0.9.0+abc', '0.10.0+def')).toBe('outdated'); // numeric, not text, order
    expect(agentVersionState('1.0.0+abc', '0.10.0+def')).toBe('newer');
    expect(agentVersionState(null, '0.1.0+abc')).toBe('unknown');
    expect(agentVersionState('0.1.0+abc', null)).toBe('unknown');
    expect(shortVersion('0.1.0+abc-123')).toBe('0.1.0');
  });
});

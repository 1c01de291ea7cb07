import { describe, expect, it } from 'vitest';
import { enrollArgs, isHelp, parseCommandLine } from '../src/cli/args.ts';
import { localDataDir } from '../src/cli/commands.ts';
import { systemdUnit } from '../src/commands/install-service.ts';
import { agentArch, dashboardBase, parseDashboardAgent } from '../src/commands/update.ts';

describe('vibe-agent command line', () => {
  it('splits the command from its options', () => {
    expect(parseCommandLine(['status', '--json', '--config', '/etc/x.json'])).toEqual({
      command: 'status',
      options: { json: true, config: '/etc/x.json' },
    });
    expect(parseCommandLine([])).toEqual({ command: undefined, options: {} });
  });

  it("refuses an unknown option with node:util's message", () => {
    expect(() => parseCommandLine(['run', '--fast'])).toThrow(/Unknown option '--fast'/);
  });

  it('shows the usage for no command, help, --help and -h only', () => {
    for (const c of [undefined, 'help', '--help', '-h']) expect(isHelp(c)).toBe(true);
    for (const c of ['run', 'HELP', 'status']) expect(isHelp(c)).toBe(false);
  });

  it('takes enroll arguments from flags first, then variables, and names the first one missing', () => {
    const env = { VIBE_AGENT_URL: 'http://env', VIBE_AGENT_KEY: 'env-key', VIBE_AGENT_TOKEN: 'env-token' };
    expect(enrollArgs({ url: 'http://flag', name: 'web-01' }, env)).toEqual({
      url: 'http://flag',
      key: 'env-key',
      token: 'env-token',
      name: 'web-01',
      dashboardUrl: undefined,
      autoUpdate: false,
    });
    expect(enrollArgs({ dashboard: 'https://dash', 'auto-update': true }, env)).toMatchObject({
      dashboardUrl: 'https://dash',
      autoUpdate: true,
    });
    expect(() => enrollArgs({}, {})).toThrow('Missing --url: the project URL (SUPABASE_URL)');
    expect(() => enrollArgs({ url: 'u' }, {})).toThrow('Missing --key: the anon or publishable key');
    expect(() => enrollArgs({ url: 'u', key: 'k' }, {})).toThrow(
      'Missing --token: the one-time enrollment token from the dashboard',
    );
  });

  it('finds the data directory from the variable, then the config file', () => {
    expect(localDataDir({ VIBE_AGENT_DATA_DIR: '/var/lib/a' }, { dataDir: '/b' })).toBe('/var/lib/a');
    expect(localDataDir({}, { dataDir: '/b' })).toBe('/b');
  });

  it('writes a unit that starts the executable, or node on the sources', () => {
    const o = { configFile: '/etc/vibe-agent/config.json', dataDir: '/var/lib/vibe-agent' };
    const exe = systemdUnit({ ...o, command: ['/usr/local/bin/vibe-agent'] });
    expect(exe).toContain('ExecStart=/usr/local/bin/vibe-agent run\n');
    expect(exe).toContain('StateDirectory=vibe-agent\n');
    expect(systemdUnit({ ...o, command: ['/usr/bin/node', '/opt/agent/src/cli.ts'] })).toContain(
      'ExecStart=/usr/bin/node /opt/agent/src/cli.ts run\n',
    );
  });
});

describe('vibe-agent update inputs', () => {
  it('takes only an http(s) dashboard URL without credentials, and says where to set it', () => {
    expect(dashboardBase('https://dash.example.com/')).toBe('https://dash.example.com');
    expect(() => dashboardBase(undefined)).toThrow(/set "dashboardUrl" in the config file or VIBE_AGENT_DASHBOARD_URL/);
    expect(() => dashboardBase('file:///etc/passwd')).toThrow('Invalid dashboard URL "file:///etc/passwd"');
    expect(() => dashboardBase('https://u:p@dash')).toThrow(/without credentials/);
  });

  it("checks the dashboard's /agent/version answer before trusting it", () => {
    const sha = 'a'.repeat(64);
    expect(
      parseDashboardAgent({
        version: '1.0.0',
        build: 'b',
        files: { x64: { file: 'f', sha256: sha, size: 3 }, riscv: {} },
      }),
    ).toEqual({ version: '1.0.0', build: 'b', files: { x64: { file: 'f', sha256: sha, size: 3 } } });
    expect(() => parseDashboardAgent({ version: '1.0.0', files: {} })).toThrow(/lacks version, build or files/);
    expect(() =>
      parseDashboardAgent({ version: '1', build: 'b', files: { arm64: { file: 'f', sha256: 'nope', size: 1 } } }),
    ).toThrow(/entry for arm64 is malformed/);
    expect(agentArch('arm64')).toBe('arm64');
    expect(() => agentArch('ia32')).toThrow('No vibe-agent executable for the ia32 architecture');
  });
});

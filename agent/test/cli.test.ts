import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, parseHttpChecks, writeConfigFile } from '../src/config/settings.ts';
import { DiskQueue } from '../src/send/queue.ts';
import { writeStatus } from '../src/status-file.ts';
import { scratch } from './scratch.ts';

const { tmp, spawn: spawnAgent } = scratch('vibe-agent-cli');
// Keep the developer's own VIBE_AGENT_* variables out of these tests.
const clean = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('VIBE_AGENT_'))
    .map((k) => [k, '']),
);

describe('settings', () => {
  it('fails with one message naming the first missing value', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'config.json');
    writeConfigFile(file, { url: 'http://127.0.0.1:1', key: 'k' });
    expect(() => loadSettings({ VIBE_AGENT_CONFIG: file })).toThrow(
      `Missing setting "hostId": set VIBE_AGENT_HOST_ID or put "hostId" in ${file} (vibe-agent enroll writes it)`,
    );
  });

  it('lets variables override the file and parses lists and numbers', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'config.json');
    writeConfigFile(file, {
      url: 'http://file/',
      key: 'k',
      hostId: 'h',
      email: 'e',
      password: 'p',
      sampleIntervalS: 7,
      httpChecks: [{ url: 'https://example.com/health', expectedStatus: [200, 204], intervalS: 60 }],
    });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const s = loadSettings({
      VIBE_AGENT_CONFIG: file,
      VIBE_AGENT_URL: 'http://env',
      VIBE_AGENT_DATABASES: 'postgres://u:p@db1/app,postgres://db2/other',
      VIBE_AGENT_DATA_DIR: dir,
    });
    expect(s).toMatchObject({ url: 'http://env', sampleIntervalS: 7, sendIntervalS: 10, dataDir: dir });
    expect(s.databases).toEqual([
      { name: 'app', url: 'postgres://u:p@db1/app' },
      { name: 'other', url: 'postgres://db2/other' },
    ]);
    expect(s.httpChecks[0]).toMatchObject({
      name: 'https://example.com/health',
      method: 'GET',
      expectedStatus: [200, 204],
      intervalS: 60,
      timeoutMs: 10000,
    });
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => loadSettings({ VIBE_AGENT_CONFIG: file, VIBE_AGENT_SAMPLE_INTERVAL: 'often' })).toThrow(
      'Invalid VIBE_AGENT_SAMPLE_INTERVAL: expected a number of at least 0.1, got "often"',
    );
    expect(() => parseHttpChecks('not a url')).toThrow('Invalid VIBE_AGENT_HTTP_CHECKS: "not a url" is not a URL');
  });

  it('reads the container and process collector settings, and names bad values', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'config.json');
    writeConfigFile(file, { url: 'http://f', key: 'k', hostId: 'h', email: 'e', password: 'p', processesTop: 5 });
    const base = { ...clean, VIBE_AGENT_CONFIG: file };
    expect(loadSettings(base)).toMatchObject({ containers: true, containerSocket: null, processesTop: 5 });
    expect(
      loadSettings({
        ...base,
        VIBE_AGENT_CONTAINERS: 'off',
        VIBE_AGENT_PROCESSES_TOP: '0',
        VIBE_AGENT_CONTAINER_SOCKET: '/run/x.sock',
      }),
    ).toMatchObject({ containers: false, processesTop: 0, containerSocket: '/run/x.sock' });
    expect(() => loadSettings({ ...base, VIBE_AGENT_CONTAINERS: 'maybe' })).toThrow(
      'Invalid VIBE_AGENT_CONTAINERS: expected true or false, got "maybe"',
    );
    expect(() => loadSettings({ ...base, VIBE_AGENT_PROCESSES_TOP: '51' })).toThrow(
      'Invalid VIBE_AGENT_PROCESSES_TOP: expected a whole number from 0 to 50, got "51"',
    );
    expect(() => loadSettings({ ...base, VIBE_AGENT_PROCESSES_TOP: '2.5' })).toThrow(/expected a whole number/);
  });

  it('names a broken config file', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{ nope');
    expect(() => loadSettings({ VIBE_AGENT_CONFIG: file })).toThrow(new RegExp(`^Cannot parse config file ${file}:`));
  });
});

describe('vibe-agent CLI', () => {
  it('run without settings exits 1 with the missing value named', async () => {
    const dir = await tmp();
    const p = spawnAgent(['run'], { ...clean, VIBE_AGENT_CONFIG: path.join(dir, 'none.json') });
    expect(await p.exited).toBe(1);
    expect(p.output()).toBe(
      `vibe-agent: Missing setting "url": set VIBE_AGENT_URL or put "url" in ${path.join(dir, 'none.json')} (vibe-agent enroll writes it)\n`,
    );
  });

  it('print writes one sample as JSON without network or credentials', async () => {
    const dir = await tmp();
    const p = spawnAgent(['print'], { ...clean, VIBE_AGENT_CONFIG: path.join(dir, 'none.json') });
    expect(await p.exited).toBe(0);
    const sample = JSON.parse(p.output());
    expect(sample.errors).toEqual({});
    expect(sample.cpu.perCorePct.length).toBeGreaterThan(0);
    expect(sample.network).toBeDefined(); // rates primed before sampling
    expect(sample.memory.totalBytes).toBeGreaterThan(0);
  });

  it('install-service writes a unit that runs this CLI with the config file and data directory', async () => {
    const dir = await tmp();
    const unit = path.join(dir, 'vibe-agent.service');
    const p = spawnAgent(['install-service', '--output', unit, '--user', 'vibe'], {
      ...clean,
      VIBE_AGENT_CONFIG: path.join(dir, 'config.json'),
      VIBE_AGENT_DATA_DIR: '/var/lib/vibe-agent',
    });
    expect(await p.exited).toBe(0);
    const text = await fs.readFile(unit, 'utf8');
    expect(text).toContain(
      `ExecStart=${process.execPath} ${path.resolve(import.meta.dirname, '..', 'src', 'cli.ts')} run`,
    );
    expect(text).toContain(`Environment=VIBE_AGENT_CONFIG=${path.join(dir, 'config.json')}`);
    expect(text).toContain('User=vibe');
    expect(text).toContain('StateDirectory=vibe-agent');
    expect(text).toContain('Restart=always');
    expect(p.output()).toContain('systemctl daemon-reload && systemctl enable --now vibe-agent.service');
  });

  it('status reports queue depth, last send and last error', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open(path.join(dir, 'queue'));
    await q.append([
      { table: 'host_samples', row: {} },
      { table: 'host_samples', row: {} },
    ]);
    await q.close();
    writeStatus(dir, {
      pid: 999_999_999,
      startedAt: '2025-01-01T00:00:00.000Z',
      lastSampleAt: '2025-01-01T00:01:00.000Z',
      lastSendAt: '2025-01-01T00:00:50.000Z',
      lastError: { at: '2025-01-01T00:01:00.000Z', message: 'no response: fetch failed' },
      sentRows: 10,
      rejectedRows: 0,
      droppedRows: 0,
      queueDepth: 2,
      stoppedAt: null,
    });
    const p = spawnAgent(['status'], {
      ...clean,
      VIBE_AGENT_CONFIG: path.join(dir, 'none.json'),
      VIBE_AGENT_DATA_DIR: dir,
    });
    expect(await p.exited).toBe(0);
    expect(p.output()).toBe(
      [
        'agent:       not running',
        'queue depth: 2 rows',
        'dropped:     0 rows (queue size cap)',
        'last sample: 2025-01-01T00:01:00.000Z',
        'last send:   2025-01-01T00:00:50.000Z',
        'last error:  2025-01-01T00:01:00.000Z no response: fetch failed',
        '',
      ].join('\n'),
    );
  });

  it('rejects an unknown command', async () => {
    const p = spawnAgent(['fly'], clean);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('Unknown command "fly"');
  });
});

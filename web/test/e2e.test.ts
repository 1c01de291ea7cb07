/**
 * The dashboard end to end in real Chromium against the test stack: sign up, add a host and install the
 * agent with the one line the page shows (into a scratch root, testkit/src/install-harness.ts), see it live
 * on the overview, its charts, a rule fires live and is acknowledged, a maintenance window is planned, a
 * channel test message reaches a local receiver, an email channel (Postmark) is made and edited in the form
 * without its key ever coming back to the browser, and another team's user sees none of it.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dateTime } from '../src/lib/format.ts';
import { artifactsDir, launchChromium } from './e2e-web.ts';
import { startNotifyReceiver } from '../../supabase/tests/functions-receiver.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';
import { makeInstallRoot, runInstallLine, startFromUnit } from '../../testkit/src/install-harness.ts';

const env = inject('stack');
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const hostName = `e2e-web-${run}`;
const password = 'correct horse battery';

let web: RunningWeb;
let tmp: string;
let owner: BrowserContext;
let page: Page;
const agents: ChildProcess[] = [];
const received: { path: string; body: string }[] = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-web-e2e-'));
  await fs.mkdir(artifactsDir, { recursive: true });
  web = await startWeb(env);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  owner = await launchChromium(path.join(tmp, 'owner-profile'));
  page = await owner.newPage();
}, 120_000);

afterAll(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  await owner?.close();
  await web?.stop();
  receiver.close();
  for (const s of servers) s.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Signs up through the form and lands on the overview. */
async function signUp(p: Page, email: string, team: string): Promise<void> {
  // After hydration only: hydrating resets the inputs' values, and an emptied required field blocks the submit.
  await p.goto(`${web.url}/signup`, { waitUntil: 'networkidle' });
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByLabel('Team name').fill(team);
  await p.getByRole('button', { name: 'Create account' }).click();
  await p.waitForURL(`${web.url}/`, { timeout: 15_000 }).catch(async (err: Error) => {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator.innerText(), not the DOM property.
    throw new Error(`${err.message}\nStill on ${p.url()}: ${(await p.locator('body').innerText()).slice(0, 500)}`);
  });
  await p.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function screenshot(name: string, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(artifactsDir, `${name}-${scheme}.png`), fullPage: true });
}

const CONTAINER = '3f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a';

/** A /sys whose entries are this machine's, except fs/cgroup: the agent's cgroup v2 fixture with one Docker container. */
async function sysWithContainer(): Promise<string> {
  const sys = path.join(tmp, 'sys');
  await fs.mkdir(path.join(sys, 'fs'), { recursive: true });
  for (const e of await fs.readdir('/sys')) if (e !== 'fs') await fs.symlink(path.join('/sys', e), path.join(sys, e));
  const fixture = path.join(repoRoot, 'agent', 'test', 'fixtures', 'cgroup-v2', 't0', 'sys', 'fs', 'cgroup');
  await fs.symlink(fixture, path.join(sys, 'fs', 'cgroup'));
  return sys;
}

/** A unix socket answering GET /containers/json with the Docker Engine API's JSON. */
async function dockerSocket(): Promise<string> {
  const socket = path.join(tmp, 'docker.sock');
  const server = http.createServer((req, res) => {
    if (req.url !== '/containers/json') return void res.writeHead(404).end('{"message":"page not found"}');
    res.writeHead(200, { 'content-type': 'application/json', 'api-version': '1.43' });
    res.end(
      JSON.stringify([
        {
          Id: CONTAINER,
          Names: ['/e2e-web-app'],
          Image: 'nginx:1.27',
          State: 'running',
          HostConfig: { NetworkMode: 'default' },
        },
      ]),
    );
  });
  await new Promise<void>((r) => server.listen(socket, r));
  servers.push(server);
  return socket;
}
const servers: http.Server[] = [];

describe('dashboard end to end', () => {
  it('signs up, adds a host, enrolls an agent with the shown command and shows it live with charts', async () => {
    await signUp(page, `owner-${run}@example.com`, `E2E team ${run}`);
    // A new team's overview shows its empty state (waitFor fails unless the text becomes visible).
    await page.getByText('No hosts yet').waitFor({ state: 'visible', timeout: 15_000 });

    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByLabel('Name').fill(hostName);
    await page.getByLabel('Labels').fill('env=e2e, role=web');
    await page.getByRole('button', { name: 'Add host' }).click();
    const installCode = page.locator('[data-command="install"]');
    await installCode.waitFor();
    const installCommand = (await installCode.textContent())!;
    expect(installCommand).toMatch(
      new RegExp(`^curl -fsSL ${web.url}/install\\.sh \\| sudo sh -s -- --token vibe_enroll_[0-9a-f]+$`),
    );

    // The overview is open (and subscribed) before the agent exists: the host must arrive live.
    await page.getByRole('link', { name: 'Overview' }).click();
    const row = page.locator(`tr[data-host="${hostName}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('offline');
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });

    // The shown line, run as-is (sudo aside) into a scratch root; then what systemd would start from the unit.
    const root = makeInstallRoot(tmp);
    const installed = await runInstallLine(installCommand, root);
    expect(installed.code, installed.text).toBe(0);
    const agent = startFromUnit(root.unit, {
      VIBE_AGENT_SAMPLE_INTERVAL: '1',
      VIBE_AGENT_SEND_INTERVAL: '1',
      // No container engine runs here: this machine's /sys with a cgroup tree holding one Docker container,
      // and a local socket answering as the Docker Engine API does.
      VIBE_AGENT_SYS_ROOT: await sysWithContainer(),
      VIBE_AGENT_CONTAINER_SOCKET: await dockerSocket(),
    });
    agents.push(agent.child);

    await row.locator('[data-status="healthy"]').waitFor({ timeout: 30_000 });
    await waitFor(async () => /\d%/.test((await row.locator('[data-metric="cpu"]').textContent()) ?? ''), {
      message: 'live CPU numbers on the overview',
    });
    const firstCpu = await row.locator('[data-metric="cpu"]').textContent();
    expect(firstCpu).toMatch(/\d+(\.\d)?%/);
    expect(page.url()).toBe(`${web.url}/`); // no reload, no navigation
    await waitFor(async () => (await row.locator('polyline').count()) > 0, {
      message: 'a sparkline with points',
      timeoutMs: 15_000,
    });
    // The overview counts the team's containers (the fixture holds a Docker and a rootless Podman one) and lists the busiest.
    await page.locator('[data-container-count="2"]').waitFor({ timeout: 45_000 });
    await page.getByRole('table', { name: 'Busiest containers' }).getByText('e2e-web-app').waitFor();
    await screenshot('overview', 'light');
    await screenshot('overview', 'dark');
    // Phone width: the table scrolls inside its card, the page itself does not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot('overview-phone', 'dark');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    // Keyboard: the first Tab lands on the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    await row.getByRole('link', { name: hostName }).click();
    await page.getByRole('heading', { name: hostName }).waitFor();
    const cpuChart = page.locator('figure[aria-label="CPU"]');
    await waitFor(async () => Number(await cpuChart.getAttribute('data-points')) >= 2, {
      message: 'the CPU chart to show points',
      timeoutMs: 20_000,
    });
    expect(await cpuChart.locator('svg path').count()).toBeGreaterThan(0);
    expect(
      Number(await page.locator('figure[aria-label="Memory"]').getAttribute('data-points')),
    ).toBeGreaterThanOrEqual(2);
    // Live: new samples are appended while the range ends now.
    const before = Number(await cpuChart.getAttribute('data-points'));
    await waitFor(async () => Number(await cpuChart.getAttribute('data-points')) > before, {
      message: 'a live point appended to the CPU chart',
      timeoutMs: 15_000,
    });
    // Every mount and interface charted on its own, from their rows.
    const perMount = page.locator('figure[aria-label="Disk usage per mount"]');
    const perInterface = page.locator('figure[aria-label="Network per interface (received + sent)"]');
    // Keyed charts load with the page and are re-read every 30 s while samples arrive.
    await waitFor(
      async () =>
        Number(await perMount.getAttribute('data-points')) >= 1 &&
        Number(await perInterface.getAttribute('data-points')) >= 1,
      { message: 'the per-mount and per-interface charts to show points', timeoutMs: 45_000 },
    );
    // The top processes table, replaced live by the `processes` broadcast.
    const procs = page.getByRole('table', { name: 'Top processes' });
    await procs.locator('tbody tr').first().waitFor({ timeout: 15_000 });
    const firstTs = await procs.getAttribute('data-ts');
    await waitFor(async () => (await procs.getAttribute('data-ts')) !== firstTs, {
      message: 'the processes table to update live',
      timeoutMs: 15_000,
    });
    expect(await procs.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    // The host's containers, named from the engine socket.
    const containers = page.getByRole('table', { name: 'Containers' });
    await containers.getByText('e2e-web-app').waitFor({ timeout: 15_000 });
    expect(await containers.getByText('nginx:1.27').count()).toBe(1);
    // 6 h reads 1-minute rollups; the newest minutes come from raw samples until they are rolled up.
    await page.getByRole('button', { name: '6 h' }).click();
    await page.waitForURL(/range=6h/);
    await page.locator('section[aria-label="Charts"][aria-busy="false"]').waitFor();
    await waitFor(async () => Number(await cpuChart.getAttribute('data-points')) >= 2, {
      message: 'the 6 h range to load',
    });
    await page.getByRole('button', { name: '15 m' }).click();
    await page.waitForURL(/range=15m/);
    await page.locator('section[aria-label="Charts"][aria-busy="false"]').waitFor();
    await screenshot('host', 'light');
    await screenshot('host', 'dark');
    // The toggle overrides the system preference.
    await page.emulateMedia({ colorScheme: 'light' });
    const toggle = page.getByRole('button', { name: /Change theme/ });
    while ((await toggle.getAttribute('data-theme-choice')) !== 'dark') await toggle.click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(13, 17, 23)');
    // The choice survives a reload and applies before the app starts (app.html reads it first).
    await page.reload({ waitUntil: 'domcontentloaded' });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await toggle.waitFor();
    while ((await toggle.getAttribute('data-theme-choice')) !== 'system') await toggle.click();

    // The Hosts page shows the installed agent's version, current with what this dashboard serves.
    await page.getByRole('link', { name: 'Hosts' }).click();
    const version = page.locator(`tr:has(a:text-is("${hostName}")) [data-agent-version]`);
    await waitFor(async () => (await version.getAttribute('data-agent-state')) === 'current', {
      message: 'the agent version on the Hosts page',
      timeoutMs: 15_000,
    });
    expect(await version.getAttribute('data-agent-version')).toBe('0.1.0+test');
    expect(await version.textContent()).toContain('0.1.0');
  }, 240_000);

  it('fires a rule created in the UI and shows the alert live', async () => {
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name').fill(`cpu-any-${run}`);
    await page.getByLabel('Metric').selectOption('cpu_total');
    await page.getByLabel('Operator').selectOption('>=');
    await page.getByLabel('Threshold', { exact: true }).fill('0');
    await page.getByLabel('For (seconds)').fill('0');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('cell', { name: `cpu-any-${run}`, exact: true }).waitFor();

    // The overview turns the host critical from the broadcast alert event, without a reload.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator(`tr[data-host="${hostName}"] [data-status="critical"]`).waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: 'Alerts' }).click();
    const active = page.locator('[data-testid="active-alerts"]');
    await active.locator('tr.firing', { hasText: `cpu-any-${run}` }).waitFor();
    expect(await active.locator('tr.firing').count()).toBe(1);
    await page.locator('[data-testid="alert-history"] td.kind.firing').first().waitFor();
    // Acknowledge it: who and the note show on the alert and in the history.
    await page.getByRole('button', { name: `Acknowledge cpu-any-${run} on ${hostName}` }).click();
    await page.getByLabel('Note').fill('e2e on it');
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await active.locator('td.ack', { hasText: `by owner-${run}@example.com` }).waitFor();
    await active.locator('td.ack', { hasText: 'e2e on it' }).waitFor();
    await page
      .locator('[data-testid="alert-history"] tr', { hasText: `by owner-${run}@example.com: e2e on it` })
      .waitFor();
    expect(await page.getByRole('button', { name: `Acknowledge cpu-any-${run} on ${hostName}` }).count()).toBe(0);
    // Silence it from the alert: the silence is listed until it ends.
    await page.getByRole('button', { name: `Silence cpu-any-${run} on ${hostName}` }).click();
    await page.getByLabel('Comment').fill('e2e maintenance');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await page.getByText(/e2e maintenance — until/).waitFor();

    // A weekly maintenance window for this host; a bad cron expression is refused with the reason.
    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByLabel('Window name').fill(`patch-${run}`);
    await page.getByLabel('Repeats').selectOption('cron');
    await page.getByLabel('Cron expression', { exact: true }).fill('0 2 * *');
    await page.getByRole('button', { name: 'Create window' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid cron expression "0 2 * *": expected 5 fields' }).waitFor();
    await page.getByLabel('Repeats').selectOption('weekly');
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByLabel('Covers').selectOption('hosts');
    await page.getByRole('checkbox', { name: hostName }).check();
    await page.getByRole('button', { name: 'Create window' }).click();
    const windowRow = page.locator(`[data-testid="maintenance-windows"] tr[data-window="patch-${run}"]`);
    await windowRow.getByText('Sun 02:00–04:00 (UTC)').waitFor();
    await windowRow.getByText(hostName).waitFor();
    // The next occurrence is the coming Sunday 02:00–04:00 UTC (or "open until" while it is open), in local time.
    const now = new Date();
    const start = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((7 - now.getUTCDay()) % 7), 2),
    );
    if (start.getTime() + 7_200_000 <= now.getTime()) start.setUTCDate(start.getUTCDate() + 7);
    const end = new Date(start.getTime() + 7_200_000);
    expect((await windowRow.locator('td.next').textContent())?.trim()).toBe(
      start <= now ? `open until ${dateTime(end)}` : `${dateTime(start)} – ${dateTime(end)}`,
    );

    // Preview replays the rule over stored history.
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: `Preview cpu-any-${run}` }).click();
    await page.getByText(/Would have fired \d+ time/).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();

    // A rule on another source: the form offers that source's metrics and dimensions only, and
    // previews the unsaved rule.
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name').fill(`errors-${run}`);
    await page.getByLabel('Source').selectOption('app');
    const metric = page.getByLabel('Metric');
    expect(await metric.locator('option').allTextContents()).toEqual([
      'Error rate %',
      'Latency p50 ms',
      'Latency p95 ms',
      'Latency p99 ms',
      'Throughput req/s',
    ]);
    await metric.selectOption('latency_p95_ms');
    await page.getByLabel('Threshold', { exact: true }).fill('750');
    await page.getByLabel('Service (empty: any)').fill('checkout');
    expect(await page.getByLabel('Database name (empty: any)').count()).toBe(0);
    await page.getByRole('button', { name: 'Preview this rule' }).click();
    await page.getByText(/Would have fired 0 times \(0 transitions\)/).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('cell', { name: 'Application (RED): Latency p95 ms > 750 (service=checkout)' }).waitFor();

    // An anomaly rule: its own fields, its band in the preview, and shown as what it is.
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name').fill(`odd-cpu-${run}`);
    await page.getByLabel('Rule type').selectOption('anomaly');
    expect(await page.getByLabel('Source').count()).toBe(0);
    await page.getByLabel('Sensitivity').selectOption('high');
    await page.getByLabel('Window (minutes)').fill('10');
    await page.getByLabel('Anomalous share of the window (%)').fill('60');
    await page.getByRole('button', { name: 'Preview this rule' }).click();
    await page.getByText(/\d+ of \d+ minutes outside the band/).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('cell', { name: 'CPU total % anomalous (high sensitivity) for 60 % of 10 min' }).waitFor();
    // Editing it opens the anomaly fields with the stored values.
    await page.getByRole('button', { name: `Edit odd-cpu-${run}` }).click();
    expect(await page.getByLabel('Window (minutes)').inputValue()).toBe('10');
    await page.getByRole('button', { name: 'Cancel' }).click();
    // A new team starts with the default rules.
    await page.getByRole('cell', { name: 'TLS certificate expires in < 14 days', exact: true }).waitFor();
  }, 90_000);

  it('sends a channel test message to a local receiver', async () => {
    const { port } = receiver.address() as { port: number };
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByLabel('Name', { exact: true }).fill(`hook-${run}`);
    await page.getByLabel('Kind').selectOption('webhook');
    await page.getByLabel('Webhook URL').fill(`http://127.0.0.1:${port}/hook-${run}`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('button', { name: `Send a test message to hook-${run}` }).click();
    await waitFor(() => received.some((r) => r.path === `/hook-${run}`), {
      message: 'the test message at the receiver',
      timeoutMs: 20_000,
    });
    await page.locator(`[data-test-result="hook-${run}"].ok`).waitFor();
  }, 40_000);

  it('makes and edits an email channel through a provider; the key never comes back to the browser', async () => {
    // The functions send Postmark's API to this port (VIBE_PROVIDER_API_BASE, set by the test run).
    const provider = await startNotifyReceiver(inject('providerApiPort'));
    try {
      const name = `mail-${run}`;
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Kind').selectOption('email');
      await page.getByLabel('Email provider').selectOption('postmark');
      await page.getByLabel('From address').fill('Vibe <alerts@example.com>');
      await page.getByLabel('Recipients (comma-separated)').fill('ops@example.com, nope');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.locator('[data-error="to"]').getByText('“nope” is not an email address').waitFor();
      await page.locator('[data-error="api_key"]').getByText('API key is required').waitFor();
      await page.getByLabel('Recipients (comma-separated)').fill('ops@example.com');
      await page.getByLabel('API key').fill('pm-e2e-token-1');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByRole('button', { name: `Send a test message to ${name}` }).click();
      const [first] = await provider.waitFor('/email', 1, 20_000);
      expect(first!.headers['x-postmark-server-token']).toBe('pm-e2e-token-1');
      expect(first!.json).toMatchObject({
        From: 'Vibe <alerts@example.com>',
        To: 'ops@example.com',
        MessageStream: 'outbound',
      });
      await page.locator(`[data-test-result="${name}"].ok`).waitFor();

      const bodies: string[] = [];
      const onResponse = async (r: { url(): string; text(): Promise<string> }) => {
        if (r.url().includes('/rest/v1/')) bodies.push(await r.text().catch(() => ''));
      };
      page.on('response', onResponse);
      await page.getByRole('button', { name: `Edit ${name}` }).click();
      await page.locator('[data-secret-set="api_key"]').waitFor();
      expect(await page.getByLabel('API key').inputValue()).toBe('');
      expect(await page.getByLabel('From address').inputValue()).toBe('Vibe <alerts@example.com>');
      await page.getByLabel('API key').fill('pm-e2e-token-2');
      await page.getByRole('button', { name: 'Save channel' }).click();
      await page.getByRole('heading', { name: 'Add a channel' }).waitFor();
      page.off('response', onResponse);
      expect(bodies.some((b) => b.includes('alerts@example.com'))).toBe(true);
      expect(bodies.join('\n')).not.toContain('pm-e2e-token');
      expect(await page.content()).not.toContain('pm-e2e-token');

      await page.getByRole('button', { name: `Send a test message to ${name}` }).click();
      const got = await provider.waitFor('/email', 2, 20_000);
      expect(got[1]!.headers['x-postmark-server-token']).toBe('pm-e2e-token-2');
      expect(got[1]!.json).toMatchObject({ From: 'Vibe <alerts@example.com>', To: 'ops@example.com' });
    } finally {
      await provider.close();
    }
  }, 120_000);

  it('polls the API while Realtime is unreachable and keeps the numbers moving', async () => {
    const p = await owner.newPage();
    try {
      // A background tab polls every 60 s (realtime-fallback.ts); this one must be the visible tab.
      await p.bringToFront();
      // Every Realtime socket is closed as soon as it opens.
      await p.routeWebSocket(/\/realtime\/v1\//, (ws) => ws.close());
      const polls: string[] = [];
      p.on('request', (r) => r.url().includes('/api/monitoring/servers') && polls.push(r.url()));
      await p.goto(`${web.url}/`);
      await p.locator('[data-connection="polling"]').waitFor({ timeout: 15_000 });
      const cell = p.locator(`tr[data-host="${hostName}"] [data-metric="cpu"]`);
      await waitFor(async () => /\d%/.test((await cell.textContent()) ?? ''), { message: 'numbers from the API' });
      const first = await cell.textContent();
      await waitFor(async () => polls.length >= 2 && (await cell.textContent()) !== first, {
        message: 'a second poll to change the numbers',
        timeoutMs: 20_000,
      });
    } finally {
      await p.close();
    }
  }, 45_000);

  it('shows a user of another team none of it', async () => {
    const other = await launchChromium(path.join(tmp, 'other-profile'));
    try {
      const p = await other.newPage();
      await signUp(p, `other-${run}@example.com`, `Other team ${run}`);
      await p.getByText('No hosts yet').waitFor();
      await p.goto(`${web.url}/hosts/${hostName}`);
      await p.getByRole('heading', { name: 'Host not found' }).waitFor();
      await p.getByRole('link', { name: 'Alerts' }).click();
      await p.getByText('Nothing is firing.').waitFor();
      expect(await p.getByText(`cpu-any-${run}`).count()).toBe(0);
      await p.getByRole('link', { name: 'Rules' }).click();
      // Only its own default rules.
      await p.getByRole('cell', { name: 'CPU above 90 %', exact: true }).waitFor();
      expect(await p.getByText(`cpu-any-${run}`).count()).toBe(0);
      expect(await p.getByText(`errors-${run}`).count()).toBe(0);
      await p.getByRole('link', { name: 'Channels' }).click();
      await p.getByText('No channels yet.').waitFor();
      const api = await p.evaluate(async () => (await fetch('/api/monitoring/servers')).json());
      expect(api).toEqual({ servers: [] });
      // And the owner's live broadcasts never reach this user's page.
      await p.goto(`${web.url}/`);
      await p.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
      await p.waitForTimeout(2500);
      expect(await p.locator('tbody tr').count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);
});

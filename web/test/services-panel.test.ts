/**
 * The host page's services panel in real Chromium: OTLP rows of app_samples (kind 'app', as the agent
 * writes them) show as services with their routes and figures, a chart per chosen service, and a host
 * without any shows how to enable the receiver. HTTP check rows stay out of the panel.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './e2e-web.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';
import { newHost, newTeam, newUser, serviceClient, type TestUser } from './api-fixtures.ts';

const env = inject('stack');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let web: RunningWeb;
let tmp: string;
let browser: BrowserContext;
let page: Page;
let user: TestUser;
let hostId: string;
let emptyHostId: string;

/** An app_samples row as the agent's OTLP receiver writes it (one per service, route and interval). */
function appRow(
  service: string,
  route: string,
  at: Date,
  f: { count: number; errors: number; p50: number; p95: number; p99: number },
) {
  return {
    host_id: hostId,
    ts: at.toISOString(),
    kind: 'app',
    check_name: `${service} ${route}`,
    status: f.errors ? 'degraded' : 'up',
    service,
    route,
    request_count: f.count,
    throughput_rps: f.count / 10,
    error_rate: (f.errors / f.count) * 100,
    latency_p50_ms: f.p50,
    latency_p95_ms: f.p95,
    latency_p99_ms: f.p99,
    latency_ms: f.p50,
  };
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-services-'));
  user = await newUser(env, `svc-${run}`);
  const team = await newTeam(user, `Services ${run}`);
  hostId = await newHost(user, team, `svc-host-${run}`);
  emptyHostId = await newHost(user, team, `svc-empty-${run}`);
  const now = Date.now();
  const rows = [];
  // Three 10 s intervals; the newest holds the figures the table must show.
  for (let i = 2; i >= 0; i--) {
    const at = new Date(now - i * 10_000 - 5_000);
    rows.push(
      appRow(`checkout-${run}`, 'GET /cart/{id}', at, {
        count: 400 + i,
        errors: i === 0 ? 8 : 0,
        p50: 12,
        p95: 48.5,
        p99: 90,
      }),
    );
    rows.push(appRow(`checkout-${run}`, 'POST /orders', at, { count: 100, errors: 0, p50: 30, p95: 120, p99: 250 }));
  }
  const check = {
    host_id: hostId,
    ts: new Date(now - 5_000).toISOString(),
    kind: 'http',
    check_name: `homepage-${run}`,
    status: 'up',
    status_code: 200,
    latency_ms: 7,
  };
  const { error } = await serviceClient(env)
    .from('app_samples')
    .insert([...rows, check]);
  if (error) throw new Error(`Cannot insert app samples: ${error.message}`);

  web = await startWeb(env);
  browser = await launchChromium(path.join(tmp, 'profile'));
  page = await browser.newPage();
  await page.goto(`${web.url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}/`, { timeout: 15_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('host page services panel', () => {
  it('lists each service and its routes with the latest figures and charts the chosen service', async () => {
    await page.goto(`${web.url}/hosts/${hostId}`);
    const panel = page.locator('section[aria-labelledby="services-title"]');
    const service = panel.locator(`tr[data-service="checkout-${run}"]`);
    await service.waitFor({ timeout: 20_000 });
    const cells = async (row: typeof service) => (await row.locator('td').allInnerTexts()).map((t) => t.trim());

    // Latest interval summed over routes: 500 requests, 50/s, 8 errors of 500 = 1.6%, slowest route's percentiles.
    expect((await cells(service)).slice(0, 7)).toEqual([
      `checkout-${run}`,
      '500',
      '50/s',
      '1.6%',
      '30 ms',
      '120 ms',
      '250 ms',
    ]);
    const cart = panel.locator('tr[data-route="GET /cart/{id}"]');
    expect((await cells(cart)).slice(0, 7)).toEqual(['GET /cart/{id}', '400', '40/s', '2%', '12 ms', '49 ms', '90 ms']);
    // Busiest route over the range first.
    expect(await panel.locator('tr.route').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-route')))).toEqual([
      'GET /cart/{id}',
      'POST /orders',
    ]);

    // Charts for the chosen service, with one point per interval.
    const p95 = panel.getByRole('figure', { name: `checkout-${run}: p95 latency` });
    await p95.locator('svg').first().waitFor();
    expect(await p95.getAttribute('data-points')).toBe('3');
    expect(await panel.getByRole('figure', { name: `checkout-${run}: throughput` }).getAttribute('data-points')).toBe(
      '3',
    );

    // HTTP check rows stay in the checks panel, not here, and app rows stay out of the checks panel.
    expect(await panel.getByText(`homepage-${run}`).count()).toBe(0);
    const checks = page.locator('section[aria-labelledby="checks-title"]');
    await checks.getByText(`homepage-${run}`).first().waitFor();
    expect(await checks.getByText(`checkout-${run}`).count()).toBe(0);
  }, 60_000);

  it('tells how to enable the OTLP receiver when a host has no application metrics', async () => {
    await page.goto(`${web.url}/hosts/${emptyHostId}`);
    const panel = page.locator('section[aria-labelledby="services-title"]');
    await panel
      .getByText("No application metrics: enable the agent's OTLP receiver with VIBE_AGENT_OTLP=1")
      .waitFor({ timeout: 20_000 });
    expect(await panel.locator('tr').count()).toBe(0);
  }, 60_000);
});

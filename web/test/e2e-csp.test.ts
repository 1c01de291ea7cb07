/**
 * Every page of the dashboard in real Chromium under its Content Security Policy: no violation (event or
 * console report), no page error, the inline theme script still runs before the app, Realtime still
 * connects, and pages and API answers carry the protective headers.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Response as PwResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { insertSamples, newHost, newTeam, newUser, sample, type TestUser } from './api-fixtures.ts';
import { launchChromium } from './e2e-web.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
const slug = `csp-${Date.now().toString(36)}`;
let web: RunningWeb;
let tmp: string;
let owner: TestUser;
let browser: BrowserContext;
const problems: string[] = [];

/** The headers every page must carry, besides the CSP. */
const fixedHeaders = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** A CSP header as directive → sources. */
function parseCsp(header: string | null | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** The Supabase origin and its WebSocket form, as the browser reaches Auth, PostgREST and Realtime. */
function supabaseSources(): string[] {
  const url = new URL(env.SUPABASE_URL);
  return [url.origin, `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`];
}

/** Checks a page response's security headers. */
function expectPageHeaders(res: PwResponse | null, what: string): void {
  expect(res, what).not.toBeNull();
  const h = res!.headers();
  for (const [name, value] of Object.entries(fixedHeaders)) expect(h[name], `${name} on ${what}`).toBe(value);
  const permissions = h['permissions-policy'] ?? '';
  for (const feature of ['camera', 'microphone', 'geolocation'])
    expect(permissions, `permissions-policy on ${what}`).toContain(`${feature}=()`);
  const csp = parseCsp(h['content-security-policy']);
  expect(csp.get('frame-ancestors'), `frame-ancestors on ${what}`).toEqual(["'none'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'self'"]);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  const scripts = csp.get('script-src') ?? [];
  expect(scripts).toContain("'self'");
  expect(
    scripts.some((s) => /^'nonce-[A-Za-z0-9+/=]+'$/.test(s)),
    `a script nonce on ${what}`,
  ).toBe(true);
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  const connect = csp.get('connect-src') ?? [];
  expect(connect).toContain("'self'");
  for (const source of supabaseSources()) expect(connect, `connect-src on ${what}`).toContain(source);
}

/** Records CSP violations (as events, before any page script runs) and the theme the inline script applied. */
function watch(context: BrowserContext): void {
  void context.addInitScript(() => {
    const w = window as unknown as { __csp: string[]; __themeBeforeApp?: string };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}: ${e.sample}`,
      ),
    );
    // 'interactive' comes after inline head scripts and before module scripts: only app.html's script ran.
    document.addEventListener('readystatechange', () => {
      if (document.readyState === 'interactive') w.__themeBeforeApp = document.documentElement.dataset.theme ?? 'unset';
    });
  });
}

function listen(page: Page): void {
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // The app has no favicon, and /no-such-page is a 404 on purpose: neither has to do with the policy.
    const from = msg.location().url;
    if (
      /Failed to load resource.*404/.test(msg.text()) &&
      (from.endsWith('/favicon.ico') || from.endsWith('/no-such-page'))
    )
      return;
    if (msg.type() === 'error' || /content.security.policy/i.test(msg.text()))
      problems.push(`console ${msg.type()} on ${page.url()}: ${msg.text()} (${from})`);
  });
}

/** Opens a page with a full load, waits for what shows it is rendered, and returns its violations. */
async function visit(page: Page, pathname: string, ready: (p: Page) => Promise<unknown>): Promise<PwResponse | null> {
  const res = await page.goto(web.url + pathname, { waitUntil: 'networkidle' });
  await ready(page);
  // Late work (charts, Realtime, polling) gets a moment to trip the policy too.
  await page.waitForTimeout(700);
  const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  expect(violations, `CSP violations on ${pathname}`).toEqual([]);
  return res;
}

const heading = (name: string | RegExp) => (p: Page) => p.getByRole('heading', { name, level: 1 }).waitFor();

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-web-csp-'));
  [web, owner] = await Promise.all([startWeb(env), newUser(env, 'csp')]);
  const team = await newTeam(owner, 'CSP team');
  const hostId = await newHost(owner, team, 'CSP host', slug);
  const now = Date.now();
  await insertSamples(
    env,
    Array.from({ length: 30 }, (_, i) => sample(hostId, new Date(now - (30 - i) * 20_000), { cpu_total: 10 + i })),
  );
  browser = await launchChromium(path.join(tmp, 'profile'));
  watch(browser);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** Signs in through the form (after hydration, which would reset typed values). */
async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto(`${web.url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}/`);
}

describe('pages under the Content Security Policy', () => {
  it('loads every page with no violation, no page error and the expected headers', async () => {
    problems.length = 0;
    const page = await browser.newPage();
    listen(page);
    // A stored dark theme: app.html's inline script must apply it before the app starts.
    await page.goto(`${web.url}/login`);
    await page.evaluate(() => localStorage.setItem('vibe-theme', 'dark'));

    expectPageHeaders(await visit(page, '/login', heading('Sign in')), '/login');
    expect(await page.evaluate(() => (window as unknown as { __themeBeforeApp?: string }).__themeBeforeApp)).toBe(
      'dark',
    );
    expectPageHeaders(await visit(page, '/signup', heading('Sign up')), '/signup');

    await signIn(page, owner);
    expectPageHeaders(await visit(page, '/', heading('Overview')), '/');
    // Realtime (a WebSocket to the Supabase origin) connects under connect-src.
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-host] [data-metric="cpu"]`).first().waitFor();

    await visit(page, `/hosts/${slug}`, async (p) => {
      const cpu = p.locator('figure[aria-label="CPU"]');
      await waitFor(async () => Number(await cpu.getAttribute('data-points')) >= 2, {
        message: 'the CPU chart to show points',
      });
      await p.locator('section[aria-label="Charts"][aria-busy="false"]').waitFor();
      expect(await cpu.locator('svg path').count()).toBeGreaterThan(0);
    });
    await visit(page, `/hosts/${slug}?range=6h`, (p) =>
      p.locator('section[aria-label="Charts"][aria-busy="false"]').waitFor(),
    );
    await visit(page, '/hosts/no-such-host', heading('Host not found'));
    await visit(page, '/hosts', heading('Hosts'));
    await visit(page, '/alerts', heading('Alerts'));
    await visit(page, '/rules', async (p) => {
      await heading('Alert rules')(p);
      await p.getByRole('button', { name: 'New rule' }).click();
      await p.getByRole('heading', { name: 'New rule' }).waitFor();
    });
    await visit(page, '/channels', heading('Notification channels'));
    await visit(page, '/team', heading(/^Team: /));
    // The theme toggle's choice applies without a violation, and the app's 404 page is under the policy too.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const missing = await visit(page, '/no-such-page', (p) => p.locator('body').waitFor());
    expect(missing?.status()).toBe(404);
    expectPageHeaders(missing, '404 page');
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows a user without a team the create-team page under the policy', async () => {
    problems.length = 0;
    const page = await browser.newPage();
    listen(page);
    await browser.clearCookies();
    const loner = await newUser(env, 'csp-loner');
    await signIn(page, loner);
    expectPageHeaders(await visit(page, '/', heading('Create your team')), 'create-team');
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('headers outside pages', () => {
  it('sends nosniff and a deny-all policy with API answers, errors included', async () => {
    for (const [pathname, status] of [
      ['/api/monitoring/servers', 200],
      ['/api/monitoring/performance', 400],
      ['/api/monitoring/nope', 404],
    ] as const) {
      const res = await fetch(web.url + pathname, { headers: { authorization: `Bearer ${owner.token}` } });
      expect(res.status, pathname).toBe(status);
      expect(res.headers.get('x-content-type-options'), pathname).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), pathname).toBe('DENY');
      const csp = parseCsp(res.headers.get('content-security-policy'));
      expect(csp.get('default-src'), pathname).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), pathname).toEqual(["'none'"]);
    }
    const unauthorized = await fetch(`${web.url}/api/monitoring/servers`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends them with the refusal of a cross-site form too', async () => {
    const res = await fetch(`${web.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'email=a%40b.c&password=x',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

/**
 * The dashboard in Korean and English, end to end in Chromium against the test stack: a Korean-speaking user
 * (browser language ko-KR) signs up, adds a host, enrolls its agent and reads a firing alert, all in Korean; the
 * header's switch then turns every visible string English, and back.
 *
 * With UPDATE_SCREENSHOTS=1 it also writes the README's pictures to docs/screenshots/ (overview and host page, light
 * and dark, the overview in Korean, and the "add host → live" steps) from a seeded demo team; without it they go to
 * test-artifacts/ like the other browser tests' screenshots.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { artifactsDir, CHROMIUM_ARGS } from './e2e-web.ts';
import { insertSamples, newHost, sample, type SampleRow, type TestUser } from './api-fixtures.ts';
import { CATALOGUE_DIR } from '../scripts/i18n.ts';
import { makeInstallRoot, runInstallLine, startFromUnit } from '../../testkit/src/install-harness.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const email = `kim-${run}@example.com`;
const password = 'correct horse battery';
const hostName = `seoul-${run}`;
const ruleName = `cpu-hot-${run}`;
const screenshotsDir =
  process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs', 'screenshots') : artifactsDir;

let web: RunningWeb;
let tmp: string;
let browser: BrowserContext;
let page: Page;
const agents: ChildProcess[] = [];

/**
 * Words of the English catalogue that no Korean text uses (so not product names, units or variable names): any of
 * them on a Korean page is an untranslated string.
 */
/** Korean texts that became the team's own data when it was created (its default rules' names). */
let teamData: string[] = [];

async function englishOnlyWords(): Promise<Set<string>> {
  const texts = async (l: string) =>
    JSON.stringify(JSON.parse(await fs.readFile(path.join(CATALOGUE_DIR, `${l}.json`), 'utf8')));
  const [en, ko] = await Promise.all([texts('en'), texts('ko')]);
  const koCatalogue = JSON.parse(ko) as Record<string, string>;
  teamData = Object.entries(koCatalogue)
    .filter(([k]) => k.startsWith('default_rule_'))
    .map(([, v]) => v);
  const words = new Set(en.replace(/\{\w+\}/g, ' ').match(/[A-Za-z]{4,}/g) ?? []);
  for (const w of ko.match(/[A-Za-z]{4,}/g) ?? []) words.delete(w);
  for (const w of [
    'schema',
    'inlang',
    'https',
    'message',
    'format',
    'declarations',
    'selectors',
    'match',
    'input',
    'local',
    'countPlural',
    'plural',
  ])
    words.delete(w);
  return words;
}

/** What a person reads on the page: visible text plus placeholders, labels for screen readers and titles (not code). */
async function visibleStrings(p: Page): Promise<string> {
  return p.evaluate(() => {
    const attrs = [...document.querySelectorAll('[placeholder], [aria-label], [title]')]
      .filter((e) => !e.closest('code, pre'))
      .flatMap((e) => ['placeholder', 'aria-label', 'title'].map((a) => e.getAttribute(a) ?? ''));
    // Commands and language names (each written in its own language) are not translations. innerText on purpose:
    // what is rendered, not hidden markup.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads.
    let text = document.body.innerText;
    for (const e of document.querySelectorAll<HTMLElement>('code, pre, option[lang]')) {
      // biome-ignore lint/performance/useDomNodeTextContent: the same rendered text, to take out of it.
      text = text.replace(e.innerText || (e.textContent ?? ''), ' ');
    }
    return `${document.title}\n${text}\n${attrs.join('\n')}`;
  });
}

async function screenshot(name: string, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
}

/** A signed-in client for the browser's user, to seed the demo hosts beside the one enrolled through the UI. */
async function sameUser(): Promise<TestUser> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, { auth: { persistSession: false } });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw new Error(`Cannot sign in as ${email}: ${error?.message}`);
  return { id: data.session.user.id, email, password, token: data.session.access_token, client };
}

/** Demo hosts with an hour of minute samples (a gentle wave per host), reporting hourly so they stay online. */
async function seedDemo(user: TestUser, teamId: string): Promise<void> {
  const demo: [string, number][] = [
    ['web-1', 32],
    ['web-2', 41],
    ['db-1', 93],
    ['api-1', 58],
    ['api-2', 77],
  ];
  const rows: SampleRow[] = [];
  for (const [name, cpu] of demo) {
    const id = await newHost(user, teamId, name);
    for (let i = 60; i >= 0; i--) {
      const wave = Math.sin((i + name.length * 7) / 6) * 6;
      rows.push(
        sample(id, new Date(Date.now() - i * 60_000 - 2_000), {
          cpu_total: Math.min(100, Math.max(0, cpu + (i === 0 ? 0 : wave))),
          mem_used: Math.round((2 + (cpu / 100) * 5) * 1024 ** 3),
          net_rx_bps: 200_000 + wave * 30_000,
          net_tx_bps: 90_000 + wave * 10_000,
          uptime_s: 86_400 * 12 - i * 60,
        }),
      );
    }
    const { error } = await user.client
      .from('hosts')
      .update({ sample_interval_s: 3600, labels: { env: 'prod' } })
      .eq('id', id);
    if (error) throw new Error(error.message);
  }
  await insertSamples(env, rows);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-web-i18n-'));
  await fs.mkdir(screenshotsDir, { recursive: true });
  web = await startWeb(env);
  const profile = path.join(tmp, 'profile');
  await fs.mkdir(profile, { recursive: true });
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'ko-KR',
  });
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  await browser?.close();
  await web?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('the dashboard in Korean and English', () => {
  let english: Set<string>;
  /** Fails with the English UI words found on a Korean page. */
  async function expectKorean(where: string): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    const text = await visibleStrings(page);
    const found = [...english].filter((w) => new RegExp(`\\b${w}\\b`).test(text));
    expect(found, `English words on the Korean ${where}:\n${text}`).toEqual([]);
    expect(text).toMatch(/[\uac00-\ud7a3]/u);
  }
  /** Fails with the Hangul found on an English page (the team's data aside: its default rules got Korean names). */
  async function expectEnglish(where: string): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    let text = await visibleStrings(page);
    for (const name of teamData) text = text.replaceAll(name, ' ');
    expect(
      text.match(/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+/gu) ?? [],
      `Hangul on the English ${where}:\n${text}`,
    ).toEqual([]);
  }

  it('lets a Korean-speaking user sign up, add a host and read its alert in Korean', async () => {
    english = await englishOnlyWords();
    expect(english.has('Overview')).toBe(true);

    await page.goto(`${web.url}/signup`, { waitUntil: 'networkidle' });
    await expectKorean('sign-up page');
    await page.getByLabel('이메일').fill(email);
    await page.getByLabel('비밀번호').fill(password);
    await page.getByLabel('팀 이름').fill('Seoul ops');
    await page.getByRole('button', { name: '계정 만들기' }).click();
    await page.waitForURL(`${web.url}/`, { timeout: 20_000 });
    await page.getByRole('heading', { name: '개요' }).waitFor();
    await page.getByText('아직 호스트가 없습니다.').waitFor();
    await expectKorean('empty overview');
    // The language the user signed up in is their saved choice.
    expect(await page.locator('[data-locale]').getAttribute('data-locale')).toBe('ko');

    // A rule that fires at once on a busy host.
    await page.getByRole('link', { name: '규칙' }).click();
    await page.getByRole('button', { name: '새 규칙' }).click();
    await page.getByLabel('이름', { exact: true }).fill(ruleName);
    await page.getByLabel('지표').selectOption('cpu_total');
    await page.getByLabel('임계값', { exact: true }).fill('85');
    await page.getByLabel('지속 시간 (초)').fill('0');
    await page.getByLabel('심각도').selectOption('critical');
    await page.getByRole('button', { name: '규칙 만들기' }).click();
    await page.getByRole('cell', { name: ruleName, exact: true }).waitFor();
    await expectKorean('rules page');

    // Add a host: the steps of the README's "add host → live" pictures.
    await page.getByRole('link', { name: '호스트' }).click();
    await page.getByLabel('이름', { exact: true }).fill(hostName);
    await page.getByLabel('레이블').fill('env=prod, role=web');
    await screenshot('add-host-1-form', 'light');
    await page.getByRole('button', { name: '호스트 추가' }).click();
    const installCode = page.locator('[data-command="install"]');
    await installCode.waitFor();
    await page.getByRole('heading', { name: `${hostName}에 에이전트 설치` }).waitFor();
    await screenshot('add-host-2-enroll', 'light');
    const installCommand = (await installCode.textContent())!;
    await expectKorean('hosts page with the enroll instructions');

    await page.getByRole('link', { name: '개요' }).click();
    const row = page.locator(`tr[data-host="${hostName}"]`);
    await row.locator('[data-status="offline"]').waitFor();
    await expect.poll(() => row.locator('[data-status]').textContent()).toBe('오프라인');
    await screenshot('add-host-3-waiting', 'light');
    // The shown line, run as-is (sudo aside) into a scratch root; then what systemd would start from the unit.
    const root = makeInstallRoot(tmp);
    const installed = await runInstallLine(installCommand, root);
    expect(installed.code, installed.text).toBe(0);
    agents.push(startFromUnit(root.unit, { VIBE_AGENT_SAMPLE_INTERVAL: '1', VIBE_AGENT_SEND_INTERVAL: '1' }).child);
    await row
      .locator('[data-status="healthy"], [data-status="warning"], [data-status="critical"]')
      .waitFor({ timeout: 30_000 });
    await waitFor(async () => /\d%/.test((await row.locator('[data-metric="cpu"]').textContent()) ?? ''), {
      message: 'live CPU numbers',
    });
    await screenshot('add-host-4-live', 'light');

    // The demo team around it: five more hosts, one of them busy enough to fire the rule.
    const user = await sameUser();
    const { data: teams } = await user.client.from('teams').select('id');
    await seedDemo(user, teams![0]!.id as string);
    await page.reload({ waitUntil: 'networkidle' });
    await page.locator('tr[data-host="db-1"] [data-status="critical"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('tr[data-host="db-1"] [data-status]').textContent()).toBe('심각');
    await expectKorean('overview');
    await screenshot('overview-ko', 'light');

    // The alert, in Korean: its state, the history's event and the severity.
    await page.getByRole('link', { name: '알림' }).click();
    const active = page.locator('[data-testid="active-alerts"]');
    await active.getByRole('cell', { name: 'db-1', exact: true }).first().waitFor({ timeout: 20_000 });
    expect(await active.locator('tr.firing .state').first().textContent()).toBe('발생 중');
    expect(await active.textContent()).toContain('심각');
    await page.locator('[data-testid="alert-history"]').getByText('발생', { exact: true }).first().waitFor();
    await expectKorean('alerts page');

    await page.getByRole('link', { name: '호스트' }).click();
    // Right after the click the alerts page (which links the host too) may still be on screen beside the
    // hosts page: both links go to the same page.
    await page.getByRole('link', { name: hostName }).first().click();
    await page.getByRole('heading', { name: hostName }).waitFor();
    await page.locator('figure[aria-label="CPU"]').waitFor();
    await page.locator('section[aria-busy="false"][aria-label="차트"]').waitFor();
    await expectKorean('host page');
    for (const link of ['채널', '팀']) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectKorean(`${link} page`);
    }
  }, 240_000);

  it('switches every visible string to English from the header, and keeps the choice', async () => {
    await page.goto(`${web.url}/`, { waitUntil: 'networkidle' });
    await Promise.all([page.waitForEvent('load'), page.locator('select[data-locale]').selectOption('en')]);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('tr[data-host="db-1"]').waitFor();
    await expectEnglish('overview');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot('overview-light', 'light');
    await screenshot('overview-dark', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });

    for (const [link, heading] of [
      ['Hosts', 'Hosts'],
      ['Alerts', 'Alerts'],
      ['Rules', 'Alert rules'],
      ['Channels', 'Notification channels'],
      ['Team', 'Team: Seoul ops'],
    ]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectEnglish(`${link} page`);
    }
    await page.goto(`${web.url}/hosts/db-1?range=1h`, { waitUntil: 'networkidle' });
    const cpu = page.locator('figure[aria-label="CPU"]');
    await waitFor(async () => Number(await cpu.getAttribute('data-points')) >= 10, {
      message: 'an hour of CPU points',
    });
    await expectEnglish('host page');
    await screenshot('host-light', 'light');
    await screenshot('host-dark', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Saved to the account: a fresh browser in Korean still gets English after signing in.
    const other = await chromium.launchPersistentContext(path.join(tmp, 'other'), {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      locale: 'ko-KR',
    });
    try {
      const p = await other.newPage();
      await p.goto(`${web.url}/login`, { waitUntil: 'networkidle' });
      expect(await p.getAttribute('html', 'lang')).toBe('ko');
      await p.getByLabel('이메일').fill(email);
      await p.getByLabel('비밀번호').fill(password);
      await p.getByRole('button', { name: '로그인' }).click();
      await p.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 20_000 });
      expect(await p.getAttribute('html', 'lang')).toBe('en');
    } finally {
      await other.close();
    }

    // Phone width in both languages: nothing pushes the page sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const locale of ['en', 'ko'] as const) {
      for (const url of ['/', '/hosts', '/alerts', '/rules', '/team', '/hosts/db-1']) {
        await page.goto(`${web.url}${url}`, { waitUntil: 'networkidle' });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(wide, `${url} in ${locale} is ${wide}px wider than the phone`).toBeLessThanOrEqual(0);
      }
      if (locale === 'en') {
        await Promise.all([page.waitForEvent('load'), page.locator('select[data-locale]').selectOption('ko')]);
        expect(await page.getAttribute('html', 'lang')).toBe('ko');
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 180_000);
});

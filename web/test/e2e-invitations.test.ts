/**
 * Joining a team by invitation, in real Chromium against the test stack: an owner invites an address on
 * the Team page, that user (signed in elsewhere) sees the invitation on the dashboard and accepts it, and
 * appears on the owner's Team page by email. A second invitee follows the link signed out: sign up, back
 * to the link, accept.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './e2e-web.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const password = 'correct horse battery';
const teamName = `Invite team ${run}`;

let web: RunningWeb;
let tmp: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-web-invite-'));
  web = await startWeb(env);
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await web?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function browser(name: string): Promise<Page> {
  const context = await launchChromium(path.join(tmp, name));
  contexts.push(context);
  return context.newPage();
}

/** Fills the sign-up form (after hydration, which resets inputs) and submits it. */
async function fillSignUp(p: Page, email: string, team: string): Promise<void> {
  await p.waitForLoadState('networkidle');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByLabel('Team name').fill(team);
  await p.getByRole('button', { name: 'Create account' }).click();
}

/** Waits for `url`, or fails with what the page shows instead. */
async function landOn(p: Page, url: string | RegExp): Promise<void> {
  await p.waitForURL(url, { timeout: 20_000 }).catch(async (err: Error) => {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator.innerText(), not the DOM property.
    throw new Error(`${err.message}\nStill on ${p.url()}: ${(await p.locator('body').innerText()).slice(0, 500)}`);
  });
}

async function signUp(p: Page, email: string, team: string): Promise<void> {
  await p.goto(`${web.url}/signup`);
  await fillSignUp(p, email, team);
  await p.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
}

describe('joining a team by invitation', () => {
  let owner: Page;

  it('invites an address; the user signed in with it accepts on the dashboard and is listed by email', async () => {
    owner = await browser('owner');
    const inviteeEmail = `joiner-${run}@example.com`;
    await signUp(owner, `inviter-${run}@example.com`, teamName);
    const invitee = await browser('invitee');
    await signUp(invitee, inviteeEmail, `Own team ${run}`);

    await owner.getByRole('link', { name: 'Team' }).click();
    await owner.getByRole('heading', { name: 'Invite someone' }).waitFor();
    await owner.getByLabel('Email address').fill(inviteeEmail);
    await owner.getByLabel('Invitation role').selectOption('admin');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    const link = (await owner.locator('[data-invite-link]').textContent())!;
    expect(link).toMatch(new RegExp(`^${web.url}/invite/vibe_invite_[0-9a-f]{64}$`));
    await owner.getByText(/No email channel is set up/).waitFor();
    const pendingRow = owner.locator(`tr[data-invitation="${inviteeEmail}"]`);
    await pendingRow.waitFor();
    expect(await pendingRow.locator('td').nth(1).textContent()).toBe('admin');

    await invitee.reload();
    const banner = invitee.locator('[data-testid="my-invitations"]');
    await banner.getByText(teamName).waitFor();
    await invitee.getByRole('button', { name: `Accept the invitation to ${teamName}` }).click();
    // Accepting reloads the dashboard on the new team: the banner goes away.
    await banner.waitFor({ state: 'detached' }).catch(async (err: Error) => {
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator.innerText(), not the DOM property.
      throw new Error(`${err.message}\nThe banner says: ${await banner.innerText().catch(() => '')}`);
    });
    await invitee.getByRole('heading', { name: 'Overview' }).waitFor();
    await invitee.getByRole('link', { name: 'Team' }).click();
    await invitee.getByRole('heading', { name: `Team: ${teamName}` }).waitFor();

    await owner.reload();
    const member = owner.locator(`[data-testid="members"] tr[data-member="${inviteeEmail}"]`);
    await member.waitFor();
    expect(await member.locator('td').first().textContent()).toBe(inviteeEmail);
    expect(await owner.locator(`tr[data-invitation="${inviteeEmail}"]`).count()).toBe(0);
    // Nobody is listed by a bare user id any more.
    expect(await owner.locator('[data-testid="members"]').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  }, 120_000);

  it('sends a signed-out invitee with the link through sign-up and back to the invitation', async () => {
    const newcomerEmail = `newcomer-${run}@example.com`;
    await owner.goto(`${web.url}/team`);
    await owner.getByLabel('Email address').fill(newcomerEmail);
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    const link = (await owner.locator('[data-invite-link]').textContent())!;

    const newcomer = await browser('newcomer');
    await newcomer.goto(link);
    await newcomer.waitForURL(/\/login\?next=%2Finvite%2Fvibe_invite_/);
    await newcomer.getByRole('link', { name: 'Sign up' }).click();
    await newcomer.waitForURL(/\/signup\?next=/);
    await fillSignUp(newcomer, newcomerEmail, '');
    await landOn(newcomer, link);
    await newcomer.getByRole('heading', { name: `Join ${teamName}` }).waitFor();
    await newcomer.getByRole('button', { name: 'Accept' }).click();
    await landOn(newcomer, `${web.url}/team`);
    await newcomer.locator(`[data-testid="members"] tr[data-member="${newcomerEmail}"]`).waitFor();
    // The link worked once.
    await newcomer.goto(link);
    await newcomer.locator('[data-reason="invitation_used"]').waitFor();
  }, 120_000);
});

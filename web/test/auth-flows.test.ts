/**
 * The dashboard's Auth flows against the built app and the stack: "Forgot password?" with the mailed code
 * (read from the stack's mailbox), sign-in with an authenticator code for users with TOTP, and turning TOTP
 * on from the account page. Codes are computed here (RFC 6238).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { createClient } from '@supabase/supabase-js';
import { newTeam, newUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;

beforeAll(async () => {
  // With the secret key the server can ask Auth to email invites (team/invite-mail).
  web = await startWeb(env, { SUPABASE_SECRET_KEY: env.SUPABASE_SECRET_KEY });
}, 180_000);
afterAll(async () => {
  await web?.stop();
});

function totp(secret: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  return String((mac.readUInt32BE(mac[19]! & 15) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A browser's cookies for the app: what responses set, sent back on the next request. */
class Browser {
  readonly jar = new Map<string, string>();
  async go(path: string, form?: Record<string, string>, json?: unknown): Promise<Response> {
    const res = await fetch(`${web.url}${path}`, {
      method: form || json ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        accept: json ? 'application/json' : 'text/html',
        origin: web.url,
        cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(json ? { 'content-type': 'application/json' } : {}),
      },
      body: form ? new URLSearchParams(form) : json ? JSON.stringify(json) : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (attrs.some((a) => /max-age=0/i.test(a)) || value === '') this.jar.delete(name!.trim());
      else this.jar.set(name!.trim(), value);
    }
    return res;
  }
}

async function latestMail(to: string): Promise<{ text: string }> {
  const headers = { apikey: env.SUPABASE_SECRET_KEY };
  const list = (await (
    await fetch(`${env.VIBE_MAILBOX_URL}/api/messages?to=${encodeURIComponent(to)}`, { headers })
  ).json()) as {
    messages: { id: string }[];
  };
  return (await (await fetch(`${env.VIBE_MAILBOX_URL}/api/messages/${list.messages[0]!.id}`, { headers })).json()) as {
    text: string;
  };
}

describe('forgot password', () => {
  it('the login page links to it; the mailed code and a new password sign the user in', async () => {
    const user = await newUser(env, 'forgot');
    const b = new Browser();
    expect(await (await b.go('/login')).text()).toContain('href="/forgot"');
    const sent = await b.go('/forgot?/send', { email: user.email });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain(`If an account exists for ${user.email}`);
    const code = /enter the code: (\d{6})/.exec((await latestMail(user.email)).text)![1]!;

    const wrong = await b.go('/forgot?/code', {
      email: user.email,
      code: code === '000000' ? '000001' : '000000',
      password: 'brand-new-1',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That code is wrong or has expired');
    const ok = await b.go('/forgot?/code', { email: user.email, code, password: 'brand-new-1' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');

    const again = new Browser();
    expect((await again.go('/login', { email: user.email, password: user.password })).status).toBe(400);
    expect((await again.go('/login', { email: user.email, password: 'brand-new-1' })).status).toBe(303);
  });

  it('does not say whether an account exists', async () => {
    const res = await new Browser().go('/forgot?/send', { email: `nobody-${Date.now()}@example.test` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('If an account exists for');
  });
});

describe('two-factor authentication', () => {
  it('is turned on from the account page; the next sign-in asks for the code before any page', async () => {
    const user = await newUser(env, 'mfa-web');
    const b = new Browser();
    expect((await b.go('/login', { email: user.email, password: user.password })).status).toBe(303);
    const started = await b.go('/account?/enroll', {});
    expect(started.status).toBe(200);
    // Svelte's hydration markers (<!--…-->) are not part of the text.
    const html = (await started.text()).replace(/<!--[^>]*-->/g, '');
    const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html)![1]!;
    const factor = /name="factor" value="([0-9a-f-]{36})"/.exec(html)![1]!;
    expect(html).toContain('src="data:image/svg+xml;charset=utf-8,');
    const qr = /name="qr" value="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
    const bad = await b.go('/account?/verify', { factor, code: '12345', qr, secret });
    expect(bad.status).toBe(400);
    const on = await b.go('/account?/verify', { factor, code: totp(secret), qr, secret });
    expect(on.status).toBe(200);
    expect(await on.text()).toContain('Two-factor authentication is on');

    const next = new Browser();
    const signIn = await next.go('/login', { email: user.email, password: user.password, next: '/team' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/login/mfa?next=%2Fteam');
    // Any signed-in page sends the aal1 session back to the code step.
    const page = await next.go('/hosts');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login/mfa?next=%2Fhosts');
    const wrong = await next.go('/login/mfa?next=%2Fteam', { code: '000000', next: '/team' });
    expect(wrong.status === 400 || totp(secret) === '000000').toBe(true);
    const verified = await next.go('/login/mfa?next=%2Fteam', { code: totp(secret), next: '/team' });
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/team');
    expect((await next.go('/hosts')).status).toBe(200);
  });
});

describe('team invitations by Auth invite email', () => {
  it('an address without an account gets the invite email; its code signs in with the address confirmed and joins', async () => {
    const owner = await newUser(env, 'inv-owner');
    const teamId = await newTeam(owner, `inv-${Date.now()}`);
    const b = new Browser();
    expect((await b.go('/login', { email: owner.email, password: owner.password })).status).toBe(303);
    const invitee = `newcomer-${Date.now()}@example.test`;
    const created = await owner.client.rpc('create_invitation', {
      p_team_id: teamId,
      p_email: invitee,
      p_role: 'viewer',
    });
    expect(created.error).toBeNull();
    const token = (created.data as { token: string }[])[0]!.token;

    const forged = await b.go('/team/invite-mail', undefined, {
      teamId,
      email: invitee,
      token: `vibe_invite_${'0'.repeat(64)}`,
    });
    expect(forged.status).toBe(404);
    const sent = await b.go('/team/invite-mail', undefined, { teamId, email: invitee, token });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ sent: true });
    const mail = await latestMail(invitee);
    const code = /enter the code: (\d{6})/.exec(mail.text)![1]!;

    const c = createClient(env.SUPABASE_URL, env.SUPABASE_PUBLISHABLE_KEY, { auth: { persistSession: false } });
    const signedIn = await c.auth.verifyOtp({ email: invitee, token: code, type: 'invite' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.email_confirmed_at).toBeTruthy();
    const joined = await c.rpc('accept_invitation', { p_token: token });
    expect(joined.error).toBeNull();
    expect((joined.data as { team_id: string }[])[0]!.team_id).toBe(teamId);

    // An address with an account gets no Auth mail (the invitation shows when they sign in).
    const member = await newUser(env, 'inv-member');
    const second = await owner.client.rpc('create_invitation', { p_team_id: teamId, p_email: member.email });
    const secondToken = (second.data as { token: string }[])[0]!.token;
    const existing = await b.go('/team/invite-mail', undefined, { teamId, email: member.email, token: secondToken });
    expect(await existing.json()).toEqual({ sent: false, reason: 'has_account' });

    // Someone who does not manage the team cannot send invite mail for it.
    const outsider = new Browser();
    expect((await outsider.go('/login', { email: member.email, password: member.password })).status).toBe(303);
    const refused = await outsider.go('/team/invite-mail', undefined, {
      teamId,
      email: member.email,
      token: secondToken,
    });
    expect(refused.status).toBe(404);
  });
});

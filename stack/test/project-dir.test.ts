/**
 * `npm run stack` serves any Supabase project folder: a whole stack started with VIBE_PROJECT_DIR naming the
 * fixture project (stack/test/fixtures/project) applies that folder's migrations and seed, serves its functions,
 * exposes its `[api] schemas` and runs Auth with its `[auth]` settings (site URL, confirmations, anonymous
 * sign-ins, JWT expiry), and nothing of this repository's schema.
 */
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { freshStack, type FreshStack } from '../../testkit/src/fresh-stack.ts';

const PROJECT = path.join(import.meta.dirname, 'fixtures', 'project');
let stack: FreshStack;

beforeAll(async () => {
  stack = await freshStack({
    env: { ...process.env, VIBE_PROJECT_DIR: PROJECT, VIBE_AUTH_RATE_LIMITS: 'off' },
    prefix: 'vibe-project-dir-',
  });
}, 180_000);
afterAll(() => stack?.stop());

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('VIBE_PROJECT_DIR', () => {
  it('refuses a folder without supabase/ with a message naming the variable', () => {
    expect(() => loadConfig({ VIBE_PROJECT_DIR: path.join(PROJECT, 'supabase') })).toThrow(
      /Invalid VIBE_PROJECT_DIR: .* has no supabase\/ folder/,
    );
  });

  it("applies the folder's migrations and seed, and exposes its [api] schemas only", async () => {
    expect(stack.config.projectDir).toBe(PROJECT);
    const shop = createClient(stack.env.SUPABASE_URL, stack.env.SUPABASE_ANON_KEY, { db: { schema: 'shop' } });
    const { data, error } = await shop.from('items').select('name, price_cents').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { name: 'tea', price_cents: 350 },
      { name: 'coffee', price_cents: 420 },
      { name: 'cake', price_cents: 500 },
    ]);
    const pub = createClient(stack.env.SUPABASE_URL, stack.env.SUPABASE_ANON_KEY);
    expect((await pub.from('teams').select('id')).error?.code).toBe('PGRST205');
    expect(stack.context.schemas).toEqual(['public', 'shop']);
    expect(stack.context.api).toMatchObject({ extraSearchPath: ['public', 'extensions'], maxRows: 5 });
  });

  it("serves the folder's Edge Functions", async () => {
    const res = await fetch(`${stack.env.SUPABASE_URL}/functions/v1/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'from the fixture project' });
  });

  it("runs Auth with the folder's [auth]: confirmations, site_url in mail, anonymous sign-ins, jwt_expiry", async () => {
    const c = createClient(stack.env.SUPABASE_URL, stack.env.SUPABASE_PUBLISHABLE_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const email = `shopper-${Date.now()}@example.com`;
    const signUp = await c.auth.signUp({ email, password: 'secret-123' });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    const list = await fetch(`${stack.env.VIBE_MAILBOX_URL}/api/messages?to=${encodeURIComponent(email)}`, {
      headers: { apikey: stack.env.SUPABASE_SECRET_KEY },
    });
    const { messages } = (await list.json()) as { messages: { id: string; kind: string }[] };
    expect(messages.map((m) => m.kind)).toEqual(['signup']);
    const mail = (await (
      await fetch(`${stack.env.VIBE_MAILBOX_URL}/api/messages/${messages[0]!.id}`, {
        headers: { apikey: stack.env.SUPABASE_SECRET_KEY },
      })
    ).json()) as { actionLink: string };
    expect(new URL(mail.actionLink).searchParams.get('redirect_to')).toBe('http://localhost:4000');

    const anon = await c.auth.signInAnonymously();
    expect(anon.error).toBeNull();
    const token = claims(anon.data.session!.access_token);
    expect(token.is_anonymous).toBe(true);
    expect(token.exp - token.iat).toBe(600);
    expect(anon.data.session!.expires_in).toBe(600);
  });
});

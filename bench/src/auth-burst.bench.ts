/**
 * Auth under a password-guessing burst, with the project's own supabase/config.toml limits: 100 wrong
 * passwords for one account fired at once from one address. Counts how many were answered (400
 * invalid_credentials, i.e. a password actually checked) and how many refused by the limits (429), and times
 * the owner's sign-in from another address during the burst against the same sign-in on a quiet server.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { fetchFrom } from '../../stack/test/fetch-from.ts';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const BURST = 100;
const REPS = Number(process.env.BENCH_REPS ?? 5);
// Issue 12: trust boundaries (auth rate limits).
const ISSUE = 12;

// The limits under test are the project's config.toml, whatever the caller's environment says.
delete process.env.VIBE_AUTH_RATE_LIMITS;
const stack = await freshStack();
try {
  const { SUPABASE_URL: url, SUPABASE_PUBLISHABLE_KEY: anon, SUPABASE_SERVICE_ROLE_KEY: service } = stack.env;
  const admin = createClient(url, service, { auth: { persistSession: false, autoRefreshToken: false } });
  const clientFrom = (address: string) =>
    createClient(url, anon, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { fetch: fetchFrom(address) },
    });

  async function victim(): Promise<{ email: string; password: string }> {
    const email = `burst-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    const { error } = await admin.auth.admin.createUser({ email, password, email_confirm: true });
    if (error) throw error;
    return { email, password };
  }

  async function timedSignIn(address: string, email: string, password: string): Promise<number> {
    const t0 = performance.now();
    const { error } = await clientFrom(address).auth.signInWithPassword({ email, password });
    const ms = performance.now() - t0;
    if (error) throw new Error(`the owner's sign-in from ${address} failed: ${error.code} ${error.message}`);
    return ms;
  }

  // Warm up the pool, bcrypt and the JIT on an address of its own.
  const warm = await victim();
  for (let i = 0; i < 3; i++) await timedSignIn('127.0.200.1', warm.email, warm.password);

  const quiet: number[] = [];
  const during: number[] = [];
  const answered: number[] = [];
  const refused: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    // Fresh addresses and account per repetition, so no bucket carries over.
    const attacker = `127.0.${rep + 1}.1`;
    const owner = `127.0.${rep + 1}.2`;
    const { email, password } = await victim();
    quiet.push(await timedSignIn(`127.0.${rep + 1}.3`, email, password));

    const guesses = Array.from({ length: BURST }, (_, i) =>
      fetchFrom(attacker)(`${url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: anon, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
        body: JSON.stringify({ email, password: `wrong-${i}` }),
      }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code })),
    );
    // The owner signs in while the burst is in flight.
    const ownerMs = timedSignIn(owner, email, password);
    const replies = await Promise.all(guesses);
    during.push(await ownerMs);
    const ok = replies.filter((r) => r.status === 400 && r.code === 'invalid_credentials').length;
    const limited = replies.filter((r) => r.status === 429 && r.code === 'over_request_rate_limit').length;
    if (ok + limited !== BURST)
      throw new Error(
        `unexpected replies: ${JSON.stringify(replies.filter((r) => r.status !== 400 && r.status !== 429))}`,
      );
    answered.push(ok);
    refused.push(limited);
    process.stdout.write(
      `rep ${rep + 1}: ${ok} answered, ${limited} refused; owner ${during.at(-1)!.toFixed(0)} ms during vs ${quiet.at(-1)!.toFixed(0)} ms quiet\n`,
    );
  }
  const med = (v: number[]) => percentile(v, 50);
  report([
    {
      figure: `Auth burst: wrong passwords answered 400 invalid_credentials (of ${BURST} from one address, median of ${REPS})`,
      value: med(answered),
      unit: 'requests',
      goal: '≤ 5',
      met: Math.max(...answered) <= 5,
      issue: ISSUE,
    },
    {
      figure: `Auth burst: wrong passwords refused 429 over_request_rate_limit (of ${BURST})`,
      value: med(refused),
      unit: 'requests',
      goal: '≥ 95',
      met: Math.min(...refused) >= 95,
      issue: ISSUE,
    },
    {
      figure: 'Auth burst: owner sign-in from another address during the burst, p50',
      value: med(during),
      unit: 'ms',
      goal: 'succeeds',
      met: during.length === REPS,
      issue: ISSUE,
    },
    {
      figure: 'Auth burst: owner sign-in on a quiet server, p50 (baseline)',
      value: med(quiet),
      unit: 'ms',
      goal: '',
      met: null,
      issue: ISSUE,
    },
    {
      figure: 'Auth burst: owner sign-in during / quiet (p50 ratio)',
      value: med(during) / med(quiet),
      unit: 'x',
      goal: '',
      met: null,
      issue: ISSUE,
    },
  ]);
} finally {
  await stack.stop();
}

/**
 * Every product Edge Function answers a body that is not a JSON object (null, an array, a string, a number,
 * broken JSON) with a 4xx that says what to send, never a 500, through the real stack and Deno workers.
 */
import { describe, expect, it } from 'vitest';
import { env } from './helpers.ts';

const BAD_BODIES: [string, string][] = [
  ['JSON null', 'null'],
  ['a JSON array', '[{"token": "x"}]'],
  ['a JSON string', '"schedule"'],
  ['a JSON number', '42'],
  ['JSON true', 'true'],
  ['broken JSON', '{"reason": '],
];

async function post(
  name: string,
  body: string,
  key: string,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/${name}`, {
    method: 'POST',
    headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // left null: the assertion below names the function and body
  }
  return { status: res.status, json };
}

describe('product functions refuse bodies that are not a JSON object', () => {
  const callers: [string, string][] = [
    ['enroll-agent', env.SUPABASE_ANON_KEY],
    ['dispatch-notifications', env.SUPABASE_SERVICE_ROLE_KEY],
    ['dispatch-notifications', env.SUPABASE_ANON_KEY],
    ['detect-anomalies', env.SUPABASE_SERVICE_ROLE_KEY],
    ['cache-snapshots', env.SUPABASE_SERVICE_ROLE_KEY],
  ];
  for (const [name, key] of callers) {
    const who = key === env.SUPABASE_ANON_KEY ? 'anon key' : 'service key';
    it(`${name} (${who}) answers 400 invalid_body with what to send`, { timeout: 60_000 }, async () => {
      for (const [label, body] of BAD_BODIES) {
        const res = await post(name, body, key);
        expect(res.status, `${name} with ${label}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} with ${label}`).toBeLessThan(500);
        if (who === 'anon key' && name !== 'enroll-agent') continue; // 400 or 401: either refuses before any work
        expect(res.json, `${name} with ${label}`).toMatchObject({
          error: 'invalid_body',
          message: expect.stringMatching(/JSON object/),
        });
      }
    });
  }
});

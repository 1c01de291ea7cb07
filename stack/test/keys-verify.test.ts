/** Token verification: the cache of verified tokens answers what a full check answers, expiry included. */
import { describe, expect, it, vi } from 'vitest';
import { buildKeys, JwtError, type Secrets } from '../src/keys.ts';
import * as jose from 'jose';

async function keys() {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const secrets: Secrets = {
    jwtSecret: 'a'.repeat(43),
    dbPassword: 'x',
    publishableKey: 'sb_publishable_x',
    secretKey: 'sb_secret_x',
    signingKey: { ...(await jose.exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' },
  };
  return buildKeys(secrets);
}

describe('keys.verify', () => {
  it('answers repeated checks of the same token from the cache with equal, unshared claims', async () => {
    const k = await keys();
    const token = await k.signUserToken({ sub: 'u1', role: 'authenticated' }, 60);
    const first = await k.verify(token);
    first.role = 'service_role'; // a caller changing its copy changes nothing for the next one
    const second = await k.verify(token);
    expect(second).toMatchObject({ sub: 'u1', role: 'authenticated' });
  });

  it('refuses a cached token once it expired, as a full check would', async () => {
    const k = await keys();
    const now = Math.floor(Date.now() / 1000);
    // Expired 20 s ago: inside the 30 s tolerance, so accepted and cached.
    const token = await k.signHs256({ sub: 'u2', role: 'authenticated', iat: now - 100, exp: now - 20 });
    expect((await k.verify(token)).sub).toBe('u2');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 15_000); // now 35 s past exp, for the cache and for jose alike
      await expect(k.verify(token)).rejects.toThrow(JwtError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never caches a refusal: a tampered token fails every time', async () => {
    const k = await keys();
    const token = await k.signUserToken({ sub: 'u3', role: 'authenticated' }, 60);
    const [h, p] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'u3', role: 'service_role' })).toString('base64url')}.${token.split('.')[2]}`;
    expect(p).not.toBe(forged.split('.')[1]);
    await expect(k.verify(forged)).rejects.toThrow(/signature/i);
    await expect(k.verify(forged)).rejects.toThrow(/signature/i);
  });
});

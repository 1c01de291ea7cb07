/** The Auth server's pure checks, without a server: ban durations, emails, password strength, API versions. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AuthError, wantsApiVersion2024 } from '../src/auth/errors.ts';
import type { ServiceRequest } from '../src/gateway/http.ts';
import { loadAuthSettings } from '../src/auth/settings.ts';
import { checkPasswordStrength, parseBanDuration, parseBody, validateEmail } from '../src/auth/validate.ts';

function thrown(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (err) {
    return err as AuthError;
  }
  throw new Error('expected a throw');
}

describe('auth validation', () => {
  it('parses Go durations as ban_duration takes them', () => {
    expect(parseBanDuration('24h')).toBe(86_400_000);
    expect(parseBanDuration('1h30m')).toBe(5_400_000);
    expect(parseBanDuration('1.5s')).toBe(1500);
    expect(parseBanDuration('250ms')).toBe(250);
    expect(parseBanDuration('none')).toBe(0);
    expect(parseBanDuration('0')).toBe(0);
    for (const bad of ['', '10', 'h', '1d', '1h ', 'forever']) {
      expect(thrown(() => parseBanDuration(bad))).toMatchObject({ status: 400, code: 'validation_failed' });
    }
  });

  it('lower-cases valid emails and refuses malformed or overlong ones', () => {
    expect(validateEmail('Ada.Lovelace+x@Example.COM')).toBe('ada.lovelace+x@example.com');
    for (const bad of [
      '',
      'a',
      'a@',
      '@b.c',
      'a b@c.d',
      'a@b..c',
      `${'a'.repeat(250)}@b.com`,
      "x@y.z'; drop table auth.users; --",
    ]) {
      expect(thrown(() => validateEmail(bad))).toMatchObject({ status: 400, code: 'validation_failed' });
    }
  });

  it('measures password length in bytes like GoTrue: minimum 6, at most 72, no NUL', () => {
    expect(() => checkPasswordStrength('123456', 6)).not.toThrow();
    expect(thrown(() => checkPasswordStrength('12345', 6))).toMatchObject({
      status: 422,
      code: 'weak_password',
      reasons: ['length'],
    });
    expect(() => checkPasswordStrength('ééé', 6)).not.toThrow(); // 6 bytes
    expect(thrown(() => checkPasswordStrength('x'.repeat(73), 6))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    expect(thrown(() => checkPasswordStrength('abc\u0000def', 6))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('accepts only JSON objects as bodies', () => {
    expect(parseBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    for (const bad of ['', '[]', 'null', '"x"', '{'])
      expect(thrown(() => parseBody(Buffer.from(bad)))).toMatchObject({ status: 400, code: 'bad_json' });
  });

  it('uses the 2024-01-01 error format only for that API version or later', () => {
    const req = (v?: string) =>
      ({ headers: v === undefined ? {} : { 'x-supabase-api-version': v } }) as unknown as ServiceRequest;
    expect(wantsApiVersion2024(req('2024-01-01'))).toBe(true);
    expect(wantsApiVersion2024(req('2025-06-30'))).toBe(true);
    expect(wantsApiVersion2024(req('2023-12-31'))).toBe(false);
    expect(wantsApiVersion2024(req('garbage'))).toBe(false);
    expect(wantsApiVersion2024(req())).toBe(false);
  });

  it('reads the token expiry and reuse interval from the environment once, naming a bad variable', () => {
    expect(loadAuthSettings('http://h:1', {})).toMatchObject({
      issuer: 'http://h:1/auth/v1',
      jwtExpiry: 3600,
      refreshTokenReuseInterval: 10,
      minPasswordLength: 6,
    });
    expect(
      loadAuthSettings('http://h:1', { VIBE_JWT_EXPIRY: '600', VIBE_REFRESH_TOKEN_REUSE_INTERVAL: '0' }),
    ).toMatchObject({ jwtExpiry: 600, refreshTokenReuseInterval: 0 });
    expect(() => loadAuthSettings('http://h:1', { VIBE_JWT_EXPIRY: '1h' })).toThrow(/VIBE_JWT_EXPIRY/);
    expect(() => loadAuthSettings('http://h:1', { VIBE_JWT_EXPIRY: '5' })).toThrow(/VIBE_JWT_EXPIRY/);
  });

  it('reads [auth.rate_limit] and [auth.email] from config.toml, GoTrue defaults for missing keys, naming a bad key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-auth-toml-'));
    const file = path.join(dir, 'config.toml');
    try {
      await fs.writeFile(
        file,
        '[auth.rate_limit]\ntoken_refresh = 20 # comment\n\n[auth.email]\ndouble_confirm_changes = false\nmax_frequency = "1m30s"\n[auth.sms]\ntoken_refresh = 1\n',
      );
      expect(loadAuthSettings('http://h:1', {}, file)).toMatchObject({
        rateLimits: { tokenRefresh: 20, signInSignUps: 30, tokenVerifications: 30 },
        emailChange: { secure: false, otpLength: 6, otpExpirySeconds: 3600, maxFrequencyMs: 90_000 },
      });
      expect(loadAuthSettings('http://h:1', { VIBE_AUTH_RATE_LIMITS: 'off' }, file).rateLimits).toBeNull();
      expect(() => loadAuthSettings('http://h:1', { VIBE_AUTH_RATE_LIMITS: 'no' }, file)).toThrow(
        /VIBE_AUTH_RATE_LIMITS/,
      );
      expect(loadAuthSettings('http://h:1', {}, path.join(dir, 'missing.toml')).rateLimits).toEqual({
        tokenRefresh: 150,
        signInSignUps: 30,
        tokenVerifications: 30,
        emailSent: 30,
        anonymousUsers: 30,
      });
      await fs.writeFile(file, '[auth.rate_limit]\nsign_in_sign_ups = 0\n');
      expect(() => loadAuthSettings('http://h:1', {}, file)).toThrow(/\[auth.rate_limit\] sign_in_sign_ups/);
      await fs.writeFile(file, '[auth.email]\nmax_frequency = "soon"\n');
      expect(() => loadAuthSettings('http://h:1', {}, file)).toThrow(/\[auth.email\] max_frequency/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

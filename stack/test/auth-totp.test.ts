/** TOTP (RFC 6238) and base32 (RFC 4648) as the Auth server implements them: the RFCs' own test vectors. */
import { describe, expect, it } from 'vitest';
import { parseToml } from '../src/auth/config-toml.ts';
import { allowedRedirect } from '../src/auth/mailer.ts';
import { base32Decode, base32Encode, qrSvg, totpCode, totpUri, totpValid } from '../src/auth/totp.ts';

// RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the 8-digit codes' last 6 digits are the 6-digit codes.
const KEY = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('totp', () => {
  it('matches the RFC 6238 SHA-1 vectors', () => {
    for (const [t, expected] of VECTORS) {
      expect(totpCode(KEY, t * 1000, 8)).toBe(expected);
      expect(totpCode(KEY, t * 1000)).toBe(expected.slice(2));
    }
  });

  it('accepts the current step and one either side, nothing further or malformed', () => {
    const now = 1_111_111_111_000;
    expect(totpValid(totpCode(KEY, now), KEY, now)).toBe(true);
    expect(totpValid(totpCode(KEY, now - 30_000), KEY, now)).toBe(true);
    expect(totpValid(totpCode(KEY, now + 30_000), KEY, now)).toBe(true);
    expect(totpValid(totpCode(KEY, now - 90_000), KEY, now)).toBe(false);
    expect(totpValid('12345', KEY, now)).toBe(false);
    expect(totpValid('12345a', KEY, now)).toBe(false);
  });

  it('round-trips base32 (RFC 4648 vectors, no padding) and refuses other characters', () => {
    const cases: [string, string][] = [
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(() => base32Decode('MZ1W')).toThrow(/Invalid base32 character "1"/);
  });

  it('builds the otpauth URI and an SVG QR code', () => {
    expect(totpUri('JBSWY3DPEHPK3PXP', 'Vibe', 'a@b.c')).toBe(
      'otpauth://totp/Vibe:a%40b.c?algorithm=SHA1&digits=6&issuer=Vibe&period=30&secret=JBSWY3DPEHPK3PXP',
    );
    expect(qrSvg('otpauth://totp/x')).toMatch(/^<svg [^>]*>.*<\/svg>$/s);
  });
});

describe('config.toml reading', () => {
  it('reads every table, arrays of strings and dotted names', () => {
    const t = parseToml(
      '[api]\nschemas = ["public", "extra"] # comment\nmax_rows = 50\n[auth]\nsite_url = "http://x:1"\n[auth.mfa.totp]\nenroll_enabled = false\n',
    );
    expect(t.get('api')).toEqual({ schemas: ['public', 'extra'], max_rows: 50 });
    expect(t.get('auth')).toEqual({ site_url: 'http://x:1' });
    expect(t.get('auth.mfa.totp')).toEqual({ enroll_enabled: false });
  });

  it('allows redirects to the site origin and allow-listed globs only', () => {
    const mailer = {
      siteUrl: 'http://127.0.0.1:3000',
      redirectUrls: ['https://app.example.com/**', 'http://localhost:*/cb'],
      autoconfirm: true,
      securePasswordChange: false,
      signupEnabled: true,
      anonymousEnabled: false,
    };
    expect(allowedRedirect(mailer, 'http://127.0.0.1:3000/reset')).toBe('http://127.0.0.1:3000/reset');
    expect(allowedRedirect(mailer, 'https://app.example.com/a/b')).toBe('https://app.example.com/a/b');
    expect(allowedRedirect(mailer, 'http://localhost:5173/cb')).toBe('http://localhost:5173/cb');
    expect(allowedRedirect(mailer, 'https://evil.example/')).toBe('http://127.0.0.1:3000');
    expect(allowedRedirect(mailer, 'https://app.example.com.evil.example/')).toBe('http://127.0.0.1:3000');
    expect(allowedRedirect(mailer, null)).toBe('http://127.0.0.1:3000');
  });
});

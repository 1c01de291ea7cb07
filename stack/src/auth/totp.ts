/** TOTP (RFC 6238) with HMAC-SHA1, 6 digits, 30-second steps, as GoTrue's pquerna/otp settings; base32 secrets (RFC 4648). */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import qrcode from 'qrcode-generator';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 without padding, as authenticator apps read secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive, padding and spaces ignored); throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`Invalid base32 character "${ch}"`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation and pquerna/otp's default), base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The code for the time step holding `atMs` (RFC 6238: HOTP of floor(t / 30)). */
export function totpCode(secret: string, atMs: number, digits = 6, periodSeconds = 30): string {
  const counter = Math.floor(atMs / 1000 / periodSeconds);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(bin).padStart(digits, '0');
}

/** True when `code` is the code of the current step or one step either side (GoTrue's Skew: 1). */
export function totpValid(code: string, secret: string, nowMs: number = Date.now()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  let ok = false;
  for (const skew of [-1, 0, 1]) {
    const expected = Buffer.from(totpCode(secret, nowMs + skew * 30_000));
    ok = timingSafeEqual(expected, Buffer.from(code)) || ok;
  }
  return ok;
}

/** The otpauth:// URI authenticator apps scan (pquerna/otp's key URL: issuer:account label, sorted query). */
export function totpUri(secret: string, issuer: string, account: string): string {
  const q = new URLSearchParams({ algorithm: 'SHA1', digits: '6', issuer, period: '30', secret });
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?${q}`;
}

/** The URI as a QR code in SVG (error correction H, as GoTrue). */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'H');
  qr.addData(text, 'Byte');
  qr.make();
  return qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
}

/** Project secrets and API keys: made on first start, kept in the data directory with mode 0600. */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as jose from 'jose';

export interface Secrets {
  jwtSecret: string;
  dbPassword: string;
  publishableKey: string;
  secretKey: string;
  signingKey: jose.JWK & { kid: string };
}

export interface JwtClaims {
  role?: string;
  sub?: string;
  exp?: number;
  iat?: number;
  aud?: string | string[];
  email?: string;
  [claim: string]: unknown;
}

/** Why a token was refused; the message is what the client is told. */
export class JwtError extends Error {
  readonly reason: 'expired' | 'malformed' | 'signature' | 'claims';
  constructor(reason: JwtError['reason'], message: string) {
    super(message);
    this.name = 'JwtError';
    this.reason = reason;
  }
}

export interface Keys {
  readonly secrets: Secrets;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Public JWKS served at /auth/v1/.well-known/jwks.json. */
  readonly jwks: { keys: jose.JWK[] };
  /** Signs a user session token with the project's asymmetric (ES256) key. */
  signUserToken(claims: JwtClaims, expiresInSeconds: number): Promise<string>;
  /** Signs an HS256 token with the legacy JWT secret (API keys, tests). */
  signHs256(claims: JwtClaims): Promise<string>;
  /** Verifies an HS256 or ES256 token; throws JwtError. */
  verify(token: string): Promise<JwtClaims>;
  /** Maps `sb_publishable_…`/`sb_secret_…` to the anon/service_role JWT, as the hosted gateway does; other values unchanged. */
  translateApiKey(key: string): string;
  /** True for the four keys the gateway accepts in `apikey` (anon, service_role, publishable, secret), as hosted Kong does. */
  isApiKey(key: string): boolean;
}

async function createSecrets(): Promise<Secrets> {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return {
    jwtSecret: randomBytes(32).toString('base64url'),
    dbPassword: randomBytes(18).toString('base64url'),
    publishableKey: `sb_publishable_${randomBytes(16).toString('base64url')}`,
    secretKey: `sb_secret_${randomBytes(16).toString('base64url')}`,
    signingKey: { ...jwk, kid: randomUUID(), alg: 'ES256', use: 'sig' },
  };
}

/** Loads `<dataDir>/secrets.json`, creating it (mode 0600) on first start. */
export async function loadSecrets(dataDir: string): Promise<Secrets> {
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(await fs.readFile(file, 'utf8')) as Secrets;
  await fs.mkdir(dataDir, { recursive: true });
  const secrets = await createSecrets();
  await fs.writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  return secrets;
}

const TEN_YEARS = 10 * 365 * 24 * 3600;

/** Builds the key helpers from the stored secrets. */
export async function buildKeys(secrets: Secrets): Promise<Keys> {
  const hmac = new TextEncoder().encode(secrets.jwtSecret);
  const privateKey = await jose.importJWK(secrets.signingKey, 'ES256');
  const { d: _d, ...publicJwk } = secrets.signingKey;
  const publicKey = await jose.importJWK(publicJwk, 'ES256');
  const iat = 1767225600; // fixed so the keys stay the same across restarts
  const signHs256 = (claims: JwtClaims) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(hmac);
  const anonKey = await signHs256({ iss: 'supabase', role: 'anon', iat, exp: iat + TEN_YEARS });
  const serviceRoleKey = await signHs256({ iss: 'supabase', role: 'service_role', iat, exp: iat + TEN_YEARS });

  // Verified tokens, by their exact text: agents and dashboards send the same token on every request
  // until it expires, and an HMAC or ECDSA check through WebCrypto costs more than the rest of a small
  // REST request. A hit re-checks expiry with the same 30 s tolerance; a miss (or expiry) verifies in full.
  const verified = new Map<string, { claims: JwtClaims; exp: number | undefined }>();
  const VERIFIED_MAX = 10_000;

  async function verify(token: string): Promise<JwtClaims> {
    const hit = verified.get(token);
    if (hit) {
      if (hit.exp === undefined || Date.now() / 1000 <= hit.exp + 30) return { ...hit.claims };
      verified.delete(token);
    }
    const claims = await verifyFully(token);
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(token, { claims: { ...claims }, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
    return claims;
  }

  async function verifyFully(token: string): Promise<JwtClaims> {
    let header: jose.ProtectedHeaderParameters;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      throw new JwtError('malformed', 'Expected 3 parts in JWT; got a value that is not a JWT');
    }
    try {
      if (header.alg === 'HS256') {
        const { payload } = await jose.jwtVerify(token, hmac, { algorithms: ['HS256'], clockTolerance: 30 });
        return payload as JwtClaims;
      }
      if (header.alg === 'ES256' && (!header.kid || header.kid === secrets.signingKey.kid)) {
        const { payload } = await jose.jwtVerify(token, publicKey, { algorithms: ['ES256'], clockTolerance: 30 });
        return payload as JwtClaims;
      }
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw new JwtError('expired', 'JWT expired');
      if (err instanceof jose.errors.JWSSignatureVerificationFailed)
        throw new JwtError('signature', 'JWSError JWSInvalidSignature');
      if (err instanceof jose.errors.JWTClaimValidationFailed)
        throw new JwtError('claims', `JWT claim invalid: ${err.claim}`);
      throw new JwtError('malformed', `Invalid JWT: ${(err as Error).message}`);
    }
    throw new JwtError('signature', `JWSError JWSInvalidSignature: no key for alg ${String(header.alg)}`);
  }

  return Object.freeze({
    secrets,
    anonKey,
    serviceRoleKey,
    jwks: { keys: [{ ...publicJwk, kid: secrets.signingKey.kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] }] },
    signHs256,
    verify,
    async signUserToken(claims: JwtClaims, expiresInSeconds: number) {
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({ ...claims, iat: now, exp: now + expiresInSeconds })
        .setProtectedHeader({ alg: 'ES256', kid: secrets.signingKey.kid, typ: 'JWT' })
        .sign(privateKey);
    },
    translateApiKey(key: string) {
      if (key === secrets.publishableKey) return anonKey;
      if (key === secrets.secretKey) return serviceRoleKey;
      return key;
    },
    isApiKey(key: string) {
      return key === secrets.publishableKey || key === secrets.secretKey || key === anonKey || key === serviceRoleKey;
    },
  });
}

/** HTTP checks: latency, status, up or down, and days until the TLS certificate expires. */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HttpCheckResult } from '../sample.ts';

/** One configured HTTP check. */
export interface HttpCheck {
  /** Name stored with each result (`check_name`); defaults to the URL. */
  name: string;
  url: string;
  method: string;
  /** Statuses that count as up; empty means any 2xx or 3xx. */
  expectedStatus: number[];
  timeoutMs: number;
  intervalS: number;
  /** Accept any certificate (self-signed, internal CA); the expiry is still reported. */
  insecureTls: boolean;
}

const DAY_MS = 86_400_000;

/** Days from `now` until a certificate's `valid_to` ("Mar  1 12:00:00 2026 GMT"), rounded down; negative once expired. */
export function daysUntil(validTo: string, now: number): number | null {
  const t = Date.parse(validTo);
  return Number.isFinite(t) ? Math.floor((t - now) / DAY_MS) : null;
}

/** Whether a status counts as up for a check. */
export function statusIsUp(status: number, expected: number[]): boolean {
  return expected.length ? expected.includes(status) : status >= 200 && status < 400;
}

/**
 * Runs one check: a fresh connection each time (so the TLS handshake, and with it the certificate,
 * is always seen), the whole body read, latency measured to its last byte.
 */
export function runHttpCheck(check: HttpCheck, at: Date = new Date()): Promise<HttpCheckResult> {
  const url = new URL(check.url);
  const lib = url.protocol === 'https:' ? https : http;
  const started = performance.now();
  const base = { ts: at.toISOString(), name: check.name, url: check.url, method: check.method };
  return new Promise((resolve) => {
    let tlsDaysLeft: number | null = null;
    let settled = false;
    const finish = (r: Omit<HttpCheckResult, 'ts' | 'name' | 'url' | 'method' | 'tlsDaysLeft'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...base, ...r, tlsDaysLeft });
    };
    const req = lib.request(url, {
      method: check.method,
      agent: false,
      headers: { 'user-agent': 'vibe-agent', connection: 'close' },
      rejectUnauthorized: !check.insecureTls,
    });
    const timer = setTimeout(() => {
      finish({ up: false, status: null, latencyMs: null, error: `Timed out after ${check.timeoutMs} ms` });
      req.destroy();
    }, check.timeoutMs);
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (cert?.valid_to) tlsDaysLeft = daysUntil(cert.valid_to, Date.now());
      });
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.on('data', () => {});
      res.on('error', (err) =>
        finish({ up: false, status, latencyMs: null, error: `Response broke off: ${err.message}` }),
      );
      res.on('end', () => {
        const latencyMs = Math.round((performance.now() - started) * 100) / 100;
        const up = statusIsUp(status, check.expectedStatus);
        const expected = check.expectedStatus.length ? check.expectedStatus.join(' or ') : '2xx or 3xx';
        finish({ up, status, latencyMs, error: up ? null : `Unexpected status ${status}, expected ${expected}` });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish({
        up: false,
        status: null,
        latencyMs: null,
        error: err.code ? `${err.code}: ${err.message}` : err.message,
      });
    });
    req.end();
  });
}

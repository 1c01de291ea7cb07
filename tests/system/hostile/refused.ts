/** What every refused hostile request must look like: a 4xx status and a message a human can act on. */
import { expect } from 'vitest';

/** The human message of an error body in any of the shapes the services use (PostgREST, Auth, functions, web API, OTLP). */
export function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const nested = j.error && typeof j.error === 'object' ? (j.error as Record<string, unknown>).message : undefined;
    for (const v of [j.message, j.msg, nested, j.error_description, j.error])
      if (typeof v === 'string' && v.trim()) return v;
    return '';
  } catch {
    return body.trim();
  }
}

/** Asserts a 4xx answer whose body carries a message of a few words, naming the case on failure. */
export function expectRefused(name: string, status: number, body: string): void {
  expect(status, `${name}: expected a 4xx, got ${status}: ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(status, `${name}: expected a 4xx, got ${status}: ${body.slice(0, 300)}`).toBeLessThan(500);
  const message = errorMessage(body);
  expect(
    message.length,
    `${name}: the ${status} answer has no clear message: ${body.slice(0, 300)}`,
  ).toBeGreaterThanOrEqual(12);
}

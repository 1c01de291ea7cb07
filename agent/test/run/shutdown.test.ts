import { describe, expect, it } from 'vitest';
import { boundedFlush } from '../../src/run/shutdown.ts';

describe('boundedFlush', () => {
  it('returns what the flush returns when it finishes in time', async () => {
    expect(await boundedFlush(async () => ({ sent: 3 }), 5000)).toEqual({ sent: 3 });
  });

  it('gives up with null when the flush fails', async () => {
    expect(await boundedFlush(() => Promise.reject(new Error('offline')), 5000)).toBeNull();
  });

  it('gives up with null when the flush outlasts the timeout (a server that never answers)', async () => {
    expect(await boundedFlush(() => new Promise(() => {}), 20)).toBeNull();
  });
});

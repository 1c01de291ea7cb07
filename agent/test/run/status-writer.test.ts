import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { initialStatus, statusSaver, syncQueueStatus, type QueueState } from '../../src/run/status-writer.ts';
import { readStatus } from '../../src/status-file.ts';
import { scratch } from '../scratch.ts';

const { tmp } = scratch('vibe-agent-status');

describe('syncQueueStatus', () => {
  it('copies the depth and says nothing while no row was dropped', () => {
    const status = initialStatus({ depth: 3, dropped: 0, diskFullAt: null }, 42, '2025-01-01T00:00:00.000Z');
    expect(status).toMatchObject({
      pid: 42,
      startedAt: '2025-01-01T00:00:00.000Z',
      queueDepth: 3,
      droppedRows: 0,
      queueDiskFullAt: null,
      stoppedAt: null,
    });
    expect(syncQueueStatus(status, { depth: 7, dropped: 0, diskFullAt: null }, '/q')).toBeNull();
    expect(status.queueDepth).toBe(7);
  });

  it('warns once per batch of rows dropped by the size cap, counting only the new ones', () => {
    const status = initialStatus({ depth: 0, dropped: 5, diskFullAt: null }, 1, 'now');
    const q: QueueState = { depth: 10, dropped: 12, diskFullAt: null };
    expect(syncQueueStatus(status, q, '/q')).toBe('The queue reached its size cap: 7 oldest rows dropped (12 in all)');
    expect(status.droppedRows).toBe(12);
    expect(syncQueueStatus(status, q, '/q')).toBeNull();
  });

  it('tells a full disk from the size cap and names the folder to free', () => {
    const status = initialStatus({ depth: 0, dropped: 0, diskFullAt: null }, 1, 'now');
    const q: QueueState = { depth: 4, dropped: 9, diskFullAt: '2025-01-01T00:00:05.000Z' };
    expect(syncQueueStatus(status, q, '/data/queue')).toBe(
      'The queue disk is full: 9 oldest rows dropped to keep the newest (9 in all); free space in /data/queue',
    );
    expect(status).toMatchObject({ queueDiskFullAt: '2025-01-01T00:00:05.000Z', droppedRows: 9 });
    expect(syncQueueStatus(status, q, '/data/queue')).toBeNull(); // the same disk-full event is reported once
  });
});

describe('statusSaver', () => {
  it('writes the status file, and logs rather than throws when it cannot', async () => {
    const dir = await tmp();
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    const q: QueueState = { depth: 2, dropped: 0, diskFullAt: null };
    const status = initialStatus(q, 7, '2025-01-01T00:00:00.000Z');
    statusSaver(status, q, { dataDir: dir, queueDir: path.join(dir, 'queue') }, log)();
    expect(readStatus(dir)).toEqual(status);

    const notADir = path.join(dir, 'file');
    await fs.writeFile(notADir, '');
    statusSaver(status, q, { dataDir: notADir, queueDir: path.join(notADir, 'queue') }, log)();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN Cannot write the status file: /);
  });
});

/** Process liveness, for tests that check a child (Postgres, a function worker, redis-server) is gone or running. */

/** Whether a process with this pid exists (signal 0 checks without sending anything; EPERM means it exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

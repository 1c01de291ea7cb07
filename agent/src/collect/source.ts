/** Where collectors read the OS from: the real /proc, /sys and mounts, or another tree laid out like them (a container's view of its host). */
import fs from 'node:fs';
import path from 'node:path';

/** Block counts of one filesystem, as statfs(2) reports them. */
export interface FsStat {
  blockSize: number;
  blocks: number;
  blocksFree: number;
  blocksAvailable: number;
  files: number;
  filesFree: number;
}

/** Read access to the OS. Reads of /proc and /sys are synchronous (they never block on I/O); statfs may hang on a dead network mount, so it is asynchronous. */
export interface HostSource {
  /** Root of the proc filesystem, `/proc` unless overridden (e.g. `/host/proc` in a container). */
  readonly procRoot: string;
  /** Root of sysfs, `/sys` unless overridden. */
  readonly sysRoot: string;
  /** Reads a text file; throws ENOENT as fs does. */
  readText(file: string): string;
  /** Lists a directory's entry names; throws ENOENT as fs does. */
  listDir(dir: string): string[];
  /** statfs(2) of a mount point as seen by the host. */
  statfs(mountPoint: string): Promise<FsStat>;
}

/** Options of the real OS source, in the spirit of node_exporter's --path.procfs/--path.sysfs/--path.rootfs. */
export interface OsSourceOptions {
  procRoot?: string;
  sysRoot?: string;
  /** Where the host's root filesystem is visible; mount points are resolved under it. */
  rootfs?: string;
}

/** The live machine. */
export function osSource(options: OsSourceOptions = {}): HostSource {
  const rootfs = options.rootfs ?? '/';
  return {
    procRoot: options.procRoot ?? '/proc',
    sysRoot: options.sysRoot ?? '/sys',
    readText: (file) => fs.readFileSync(file, 'utf8'),
    listDir: (dir) => fs.readdirSync(dir),
    async statfs(mountPoint) {
      const s = await fs.promises.statfs(path.join(rootfs, mountPoint));
      return {
        blockSize: s.bsize,
        blocks: s.blocks,
        blocksFree: s.bfree,
        blocksAvailable: s.bavail,
        files: s.files,
        filesFree: s.ffree,
      };
    },
  };
}

/** True when an error is "file or directory does not exist". */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

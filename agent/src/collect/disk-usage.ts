/** Disk usage per real mount: the mount table from /proc, then statfs(2) of each mount point. */
import type { DiskUsageStats, MountUsage } from '../sample.ts';
import type { Collector } from './collector.ts';
import { pct } from './counters.ts';
import type { FsStat, HostSource } from './source.ts';

/** One line of the mount table. */
export interface MountEntry {
  device: string;
  mount: string;
  fstype: string;
}

// \040 (space), \011 (tab), \012 (newline) and \134 (backslash) are octal-escaped in the mount table.
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/<pid>/mounts. */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3) continue;
    out.push({ device: unescapeMount(f[0]!), mount: unescapeMount(f[1]!), fstype: f[2]! });
  }
  return out;
}

// Virtual and in-memory filesystems carry no disk space worth reporting (node_exporter's list plus tmpfs and fuse helpers).
const PSEUDO = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fusectl',
  'fuse.gvfsd-fuse',
  'fuse.lxcfs',
  'fuse.portal',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
  'nfsd',
  'rootfs',
]);
const SKIPPED_PATHS =
  /^\/(dev|proc|sys|run\/credentials\/.+|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+|var\/lib\/kubelet\/.+|snap\/.+)($|\/)/;

/**
 * The mounts worth reporting: real filesystems, each device once (bind mounts repeat a device).
 * An overlay root is kept, so a container still reports its own root filesystem.
 */
export function realMounts(entries: MountEntry[]): MountEntry[] {
  const seen = new Set<string>();
  const out: MountEntry[] = [];
  for (const e of entries) {
    if (PSEUDO.has(e.fstype) || SKIPPED_PATHS.test(e.mount)) continue;
    if (e.fstype === 'overlay' && e.mount !== '/') continue;
    if (seen.has(e.device)) continue;
    seen.add(e.device);
    out.push(e);
  }
  return out;
}

/** Usage of one filesystem; "used" is total minus free, and the percentage is of what non-root users can use, as df(1) shows. */
export function mountUsage(entry: MountEntry, s: FsStat): MountUsage {
  const total = s.blocks * s.blockSize;
  const used = (s.blocks - s.blocksFree) * s.blockSize;
  const available = s.blocksAvailable * s.blockSize;
  return {
    mount: entry.mount,
    device: entry.device,
    fstype: entry.fstype,
    totalBytes: total,
    usedBytes: used,
    availableBytes: available,
    usedPct: pct(used, used + available),
    inodesUsedPct: s.files > 0 ? pct(s.files - s.filesFree, s.files) : null,
  };
}

/** Sums the mounts into host-wide figures. */
export function diskUsageStats(mounts: MountUsage[]): DiskUsageStats {
  let total = 0;
  let used = 0;
  let available = 0;
  for (const m of mounts) {
    total += m.totalBytes;
    used += m.usedBytes;
    available += m.availableBytes;
  }
  return { mounts, totalBytes: total, usedBytes: used, usedPct: pct(used, used + available) };
}

function readMountTable(source: HostSource): string {
  try {
    return source.readText(`${source.procRoot}/1/mounts`);
  } catch {
    return source.readText(`${source.procRoot}/self/mounts`);
  }
}

/** Collector for `disk`. A statfs that hangs (dead NFS server) is given up on after `timeoutMs` and that mount is skipped until it returns, as node_exporter does. */
export function diskUsageCollector(timeoutMs = 2000): Collector {
  const stuck = new Set<string>();
  return {
    name: 'disk',
    async collect(source) {
      const entries = realMounts(parseMounts(readMountTable(source)));
      const results = await Promise.all(
        entries.map(async (e): Promise<MountUsage | null> => {
          if (stuck.has(e.mount)) return null;
          let timer: NodeJS.Timeout | undefined;
          const call = source.statfs(e.mount).finally(() => stuck.delete(e.mount));
          const timeout = new Promise<null>((resolve) => {
            timer = setTimeout(() => {
              stuck.add(e.mount);
              resolve(null);
            }, timeoutMs);
          });
          try {
            const s = await Promise.race([call, timeout]);
            return s ? mountUsage(e, s) : null;
          } catch {
            return null; // unmounted between reading the table and statfs, or not permitted: skip it
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      return { disk: diskUsageStats(results.filter((m): m is MountUsage => m !== null && m.totalBytes > 0)) };
    },
  };
}

/** The agent's own shapes for what it measures; `send/rows.ts` maps them to table rows. */

/** CPU busy percentages over the last interval (0–100). */
export interface CpuStats {
  totalPct: number;
  userPct: number;
  systemPct: number;
  iowaitPct: number;
  stealPct: number;
  /** Busy percentage per core, in core order. */
  perCorePct: number[];
}

/** Load averages as the kernel reports them. */
export interface LoadStats {
  load1: number;
  load5: number;
  load15: number;
}

/** Memory and swap in bytes; used memory is total minus MemAvailable. */
export interface MemoryStats {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  usedPct: number;
  buffersBytes: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  /** Null when the host has no swap. */
  swapUsedPct: number | null;
}

/** Usage of one mounted filesystem. */
export interface MountUsage {
  mount: string;
  device: string;
  fstype: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  usedPct: number;
  /** Null when the filesystem has no fixed inode count (btrfs, some network filesystems). */
  inodesUsedPct: number | null;
}

/** Disk usage per real mount and summed over them. */
export interface DiskUsageStats {
  mounts: MountUsage[];
  totalBytes: number;
  usedBytes: number;
  usedPct: number;
}

/** I/O rates of one block device. */
export interface DeviceIo {
  device: string;
  readBytesPerSec: number;
  writeBytesPerSec: number;
  readsPerSec: number;
  writesPerSec: number;
  /** Share of the interval the device was busy (0–100). */
  utilPct: number;
}

/** Disk I/O per whole device and summed. */
export interface DiskIoStats {
  devices: DeviceIo[];
  readBytesPerSec: number;
  writeBytesPerSec: number;
}

/** Rates of one network interface. */
export interface InterfaceRates {
  name: string;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxPacketsPerSec: number;
  txPacketsPerSec: number;
  rxErrorsPerSec: number;
  txErrorsPerSec: number;
}

/** Network rates per interface and in total (loopback and veth pairs left out of the total). */
export interface NetworkStats {
  interfaces: InterfaceRates[];
  rxBytesPerSec: number;
  txBytesPerSec: number;
}

/** TCP sockets (IPv4 and IPv6) by state. */
export interface TcpStats {
  total: number;
  byState: Record<string, number>;
}

/** Process counts. */
export interface ProcessStats {
  total: number;
  running: number;
  blocked: number;
}

/** One of the busiest processes. */
export interface TopProcess {
  pid: number;
  /** The kernel's command name (comm, at most 15 characters). */
  name: string;
  /** User name, or the numeric uid when /etc/passwd does not name it; null when unreadable. */
  user: string | null;
  /** CPU over the last interval, % of one core (a process busy on 2 cores shows 200). */
  cpu: number;
  /** Resident memory, bytes. */
  rss: number;
}

/** One container over the last interval. */
export interface ContainerStats {
  /** Full container id (64 hex digits). */
  id: string;
  /** From the Docker/Podman socket; the short id when the socket is not readable. */
  name: string;
  image: string | null;
  /** % of one core. */
  cpuPct: number;
  memUsedBytes: number;
  /** Null when unlimited. */
  memLimitBytes: number | null;
  blkReadBytesPerSec: number;
  blkWriteBytesPerSec: number;
  /** Null in the host's network namespace or when unreadable. */
  netRxBytesPerSec: number | null;
  netTxBytesPerSec: number | null;
  pids: number | null;
}

/** One temperature sensor. */
export interface TemperatureReading {
  sensor: string;
  celsius: number;
}

/** Temperatures where hwmon or thermal zones exist; empty otherwise. */
export interface TemperatureStats {
  sensors: TemperatureReading[];
  maxCelsius: number | null;
}

/** One host sample: every collector's part, absent when that collector failed. */
export interface HostSample {
  /** Collection time, ISO 8601. */
  ts: string;
  cpu?: CpuStats;
  load?: LoadStats;
  memory?: MemoryStats;
  disk?: DiskUsageStats;
  diskIo?: DiskIoStats;
  network?: NetworkStats;
  tcp?: TcpStats;
  uptimeSeconds?: number;
  processes?: ProcessStats;
  temperatures?: TemperatureStats;
  topProcesses?: TopProcess[];
  containers?: ContainerStats[];
  /** Collector name → what went wrong, for collectors that failed this time. */
  errors: Record<string, string>;
}

/** Result of one HTTP check. */
export interface HttpCheckResult {
  ts: string;
  name: string;
  url: string;
  method: string;
  up: boolean;
  /** Null when no response arrived. */
  status: number | null;
  latencyMs: number | null;
  /** Null for plain HTTP or when no certificate was seen. */
  tlsDaysLeft: number | null;
  error: string | null;
}

/** One row of the top statements from pg_stat_statements. */
export interface TopStatement {
  /** pg_stat_statements' queryid, as text (it is a 64-bit integer). */
  queryid: string;
  query: string;
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
}

/** Result of one database check. */
export interface DbCheckResult {
  ts: string;
  name: string;
  up: boolean;
  error: string | null;
  connectionsByState: Record<string, number>;
  connectionsTotal: number | null;
  maxConnections: number | null;
  cacheHitRatio: number | null;
  commitsPerSec: number | null;
  rollbacksPerSec: number | null;
  /** Deadlocks since the previous check. */
  deadlocks: number | null;
  /** Temporary file bytes written since the previous check. */
  tempBytes: number | null;
  sizeBytes: number | null;
  longestQuerySeconds: number | null;
  replicationLagSeconds: number | null;
  /** Null when pg_stat_statements is not installed or not loaded. */
  topStatements: TopStatement[] | null;
}

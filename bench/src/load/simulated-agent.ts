/** A host sample row shaped like the agent's sender sends it, for load runs (pure). */
export function sampleRow(hostId: string, ts: Date, cpu: number, withDetail = true): Record<string, unknown> {
  const gib = 1024 ** 3;
  return {
    host_id: hostId,
    ts: ts.toISOString(),
    cpu_total: cpu,
    cpu_user: cpu * 0.7,
    cpu_system: cpu * 0.3,
    cpu_count: 4,
    load_1: 0.5,
    load_5: 0.4,
    load_15: 0.3,
    mem_total: 8 * gib,
    mem_used: 3 * gib,
    mem_available: 5 * gib,
    swap_total: 0,
    swap_used: 0,
    disk_total: 100 * gib,
    disk_used: 40 * gib,
    disk_read_bps: 1200,
    disk_write_bps: 3400,
    net_rx_bps: 5600,
    net_tx_bps: 7800,
    net_connections: 42,
    uptime_s: 86400,
    process_count: 180,
    temp_c: 48,
    ...(withDetail ? { detail: agentDetail(cpu) } : {}),
  };
}

const mib = 1024 ** 2;

/**
 * The `detail` a typical host's agent sends with each sample (agent/src/sample.ts): 3 mounts, 2 disks,
 * 2 interfaces, 4 containers and the top 10 processes by CPU and by memory (15 distinct). The ingest
 * trigger fans mounts, disks, interfaces and containers out into their own tables and broadcasts the
 * processes, so a load without them would measure a cheaper ingest than agents cause.
 */
export function agentDetail(cpu: number): Record<string, unknown> {
  const gib = 1024 ** 3;
  return {
    mounts: ['/', '/var', '/home'].map((mount, i) => ({
      mount,
      device: `/dev/sda${i + 1}`,
      fstype: 'ext4',
      totalBytes: (100 + i * 50) * gib,
      usedBytes: (40 + i * 10) * gib,
      availableBytes: (60 + i * 40) * gib,
      inodesUsedPct: 12.5,
    })),
    disks: ['sda', 'nvme0n1'].map((device) => ({
      device,
      readBytesPerSec: 1200,
      writeBytesPerSec: 3400,
      readsPerSec: 3,
      writesPerSec: 9,
      utilPct: 4.5,
    })),
    interfaces: ['eth0', 'docker0'].map((name) => ({
      name,
      rxBytesPerSec: 5600,
      txBytesPerSec: 7800,
      rxPacketsPerSec: 40,
      txPacketsPerSec: 35,
      rxErrorsPerSec: 0,
      txErrorsPerSec: 0,
    })),
    containers: Array.from({ length: 4 }, (_, i) => ({
      id: `c0ffee${i}${'0'.repeat(58)}`,
      name: `app-${i}`,
      image: 'nginx:1.27',
      cpuPct: cpu / 8,
      memUsedBytes: (100 + i) * mib,
      memLimitBytes: 512 * mib,
      blkReadBytesPerSec: 0,
      blkWriteBytesPerSec: 1024,
      netRxBytesPerSec: 2048,
      netTxBytesPerSec: 1024,
      pids: 12,
    })),
    top_processes: Array.from({ length: 15 }, (_, i) => ({
      pid: 1000 + i,
      name: ['postgres', 'node', 'nginx', 'dockerd', 'containerd'][i % 5],
      user: i % 3 ? 'root' : 'www-data',
      cpu: Math.max(0, cpu / (i + 2)),
      rss: (200 - i * 10) * mib,
    })),
  };
}

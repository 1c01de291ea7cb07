/** A host sample row shaped like the agent's sender sends it, for load runs (pure). */
export function sampleRow(hostId: string, ts: Date, cpu: number): Record<string, unknown> {
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
  };
}

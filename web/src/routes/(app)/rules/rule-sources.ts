/** What rules can watch, as the rule form offers it: sources, their metrics and the dimensions a rule can match. */

/** One metric a rule can watch, with its label. */
export interface MetricOption {
  key: string;
  label: string;
}

/** Host metrics a threshold rule can watch (the host part of the alert_rules.metric check). */
export const METRICS: MetricOption[] = [
  { key: 'cpu_total', label: 'CPU total %' },
  { key: 'cpu_iowait', label: 'CPU iowait %' },
  { key: 'cpu_steal', label: 'CPU steal %' },
  { key: 'cpu_user', label: 'CPU user %' },
  { key: 'cpu_system', label: 'CPU system %' },
  { key: 'load_1', label: 'Load 1 min' },
  { key: 'load_5', label: 'Load 5 min' },
  { key: 'load_15', label: 'Load 15 min' },
  { key: 'mem_percent', label: 'Memory %' },
  { key: 'swap_percent', label: 'Swap %' },
  { key: 'disk_percent', label: 'Disk %' },
  { key: 'disk_read_bps', label: 'Disk read B/s' },
  { key: 'disk_write_bps', label: 'Disk write B/s' },
  { key: 'disk_read_iops', label: 'Disk read IOPS' },
  { key: 'disk_write_iops', label: 'Disk write IOPS' },
  { key: 'net_rx_bps', label: 'Network in B/s' },
  { key: 'net_tx_bps', label: 'Network out B/s' },
  { key: 'net_connections', label: 'Connections' },
  { key: 'process_count', label: 'Processes' },
  { key: 'temp_c', label: 'Temperature °C' },
  { key: 'host_down', label: 'Host down (missed intervals)' },
];

/** Host metrics with 1-minute rollups: the ones anomaly rules can watch (alert_rules_anomaly_shape). */
export const ANOMALY_METRICS: MetricOption[] = [
  'cpu_total',
  'cpu_iowait',
  'load_1',
  'mem_percent',
  'swap_percent',
  'disk_percent',
  'disk_read_bps',
  'disk_write_bps',
  'net_rx_bps',
  'net_tx_bps',
  'net_connections',
  'temp_c',
].map((key) => METRICS.find((m) => m.key === key)!);

/** What a rule watches: the sources of private.rule_sources (plus host), their metrics and the dimensions a rule can match. */
export interface SourceOption {
  key: RuleSource;
  label: string;
  metrics: MetricOption[];
  dims: { key: string; label: string }[];
  /** Per-series host tables: the source exists once this table does (…_add_series_table_rules.sql). */
  table?: string;
}

export type RuleSource = 'host' | 'app' | 'check' | 'db' | 'mount' | 'disk' | 'interface' | 'container';

/** The rule source catalogue as the form offers it; supabase/tests/rule-sources.test.ts checks it against the database's. */
export const SOURCES: SourceOption[] = [
  { key: 'host', label: 'Host', metrics: METRICS, dims: [] },
  {
    key: 'app',
    label: 'Application (RED)',
    metrics: [
      { key: 'error_rate', label: 'Error rate %' },
      { key: 'latency_p50_ms', label: 'Latency p50 ms' },
      { key: 'latency_p95_ms', label: 'Latency p95 ms' },
      { key: 'latency_p99_ms', label: 'Latency p99 ms' },
      { key: 'throughput_rps', label: 'Throughput req/s' },
    ],
    dims: [
      { key: 'service', label: 'Service' },
      { key: 'route', label: 'Route' },
    ],
  },
  {
    key: 'check',
    label: 'HTTP/TCP check',
    metrics: [
      { key: 'check_down', label: 'Check down (1 = down)' },
      { key: 'latency_ms', label: 'Check latency ms' },
      { key: 'tls_days_left', label: 'TLS certificate days left' },
    ],
    dims: [
      { key: 'check', label: 'Check name' },
      { key: 'kind', label: 'Check kind (http, tcp)' },
    ],
  },
  {
    key: 'db',
    label: 'Database',
    metrics: [
      { key: 'connections_used_pct', label: 'Connections % of max' },
      { key: 'cache_hit_ratio', label: 'Cache hit ratio %' },
      { key: 'replication_lag_s', label: 'Replication lag s' },
      { key: 'deadlocks', label: 'Deadlocks per interval' },
      { key: 'rollback_rate', label: 'Rollbacks/s' },
    ],
    dims: [{ key: 'db', label: 'Database name' }],
  },
  {
    key: 'mount',
    label: 'Mount',
    metrics: [
      { key: 'used_percent', label: 'Mount used %' },
      { key: 'inodes_percent', label: 'Inodes used %' },
      { key: 'available_bytes', label: 'Available bytes' },
    ],
    dims: [
      { key: 'mount', label: 'Mount path' },
      { key: 'device', label: 'Device' },
      { key: 'fstype', label: 'File system type' },
    ],
    table: 'host_mount_samples',
  },
  {
    key: 'disk',
    label: 'Disk device',
    metrics: [
      { key: 'util_percent', label: 'Device busy %' },
      { key: 'read_bps', label: 'Read B/s' },
      { key: 'write_bps', label: 'Write B/s' },
    ],
    dims: [{ key: 'device', label: 'Device' }],
    table: 'host_disk_samples',
  },
  {
    key: 'interface',
    label: 'Network interface',
    metrics: [
      { key: 'rx_bps', label: 'In B/s' },
      { key: 'tx_bps', label: 'Out B/s' },
      { key: 'rx_errors_ps', label: 'Receive errors/s' },
      { key: 'tx_errors_ps', label: 'Transmit errors/s' },
    ],
    dims: [{ key: 'interface', label: 'Interface' }],
    table: 'host_interface_samples',
  },
  {
    key: 'container',
    label: 'Container',
    metrics: [
      { key: 'cpu_percent', label: 'Container CPU % (of one core)' },
      { key: 'mem_percent', label: 'Container memory % of limit' },
      { key: 'mem_used', label: 'Container memory bytes' },
      { key: 'pids', label: 'Container processes' },
    ],
    dims: [
      { key: 'container', label: 'Container name' },
      { key: 'image', label: 'Image' },
    ],
    table: 'container_samples',
  },
];

/** The source entry of a key (host when unknown). */
export function sourceOf(key: string): SourceOption {
  return SOURCES.find((s) => s.key === key) ?? SOURCES[0]!;
}

/** The label of a metric of a source (the key itself when unknown). */
export function metricLabel(source: string, metric: string): string {
  return sourceOf(source).metrics.find((m) => m.key === metric)?.label ?? metric;
}

/** What rules can watch, as the rule form offers it: sources, their metrics and the dimensions a rule can match. */
import { m } from '#lib/paraglide/messages.js';

// Labels are getters: read when shown, in the page's language (the catalogue, supabase/functions/_shared/i18n).

/** One metric a rule can watch, with its label. */
export interface MetricOption {
  key: string;
  label: string;
}

/** Host metrics a threshold rule can watch (the host part of the alert_rules.metric check). */
export const METRICS: MetricOption[] = [
  {
    key: 'cpu_total',
    get label() {
      return m.metric_cpu_total();
    },
  },
  {
    key: 'cpu_iowait',
    get label() {
      return m.metric_cpu_iowait();
    },
  },
  {
    key: 'cpu_steal',
    get label() {
      return m.metric_cpu_steal();
    },
  },
  {
    key: 'cpu_user',
    get label() {
      return m.metric_cpu_user();
    },
  },
  {
    key: 'cpu_system',
    get label() {
      return m.metric_cpu_system();
    },
  },
  {
    key: 'load_1',
    get label() {
      return m.metric_load_1();
    },
  },
  {
    key: 'load_5',
    get label() {
      return m.metric_load_5();
    },
  },
  {
    key: 'load_15',
    get label() {
      return m.metric_load_15();
    },
  },
  {
    key: 'mem_percent',
    get label() {
      return m.metric_mem_percent();
    },
  },
  {
    key: 'swap_percent',
    get label() {
      return m.metric_swap_percent();
    },
  },
  {
    key: 'disk_percent',
    get label() {
      return m.metric_disk_percent();
    },
  },
  {
    key: 'disk_read_bps',
    get label() {
      return m.metric_disk_read_bps();
    },
  },
  {
    key: 'disk_write_bps',
    get label() {
      return m.metric_disk_write_bps();
    },
  },
  {
    key: 'disk_read_iops',
    get label() {
      return m.metric_disk_read_iops();
    },
  },
  {
    key: 'disk_write_iops',
    get label() {
      return m.metric_disk_write_iops();
    },
  },
  {
    key: 'net_rx_bps',
    get label() {
      return m.metric_net_rx_bps();
    },
  },
  {
    key: 'net_tx_bps',
    get label() {
      return m.metric_net_tx_bps();
    },
  },
  {
    key: 'net_connections',
    get label() {
      return m.metric_net_connections();
    },
  },
  {
    key: 'process_count',
    get label() {
      return m.metric_process_count();
    },
  },
  {
    key: 'temp_c',
    get label() {
      return m.metric_temp_c();
    },
  },
  {
    key: 'host_down',
    get label() {
      return m.metric_host_down();
    },
  },
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
  {
    key: 'host',
    get label() {
      return m.col_host();
    },
    metrics: METRICS,
    dims: [],
  },
  {
    key: 'app',
    get label() {
      return m.rs_application_red();
    },
    metrics: [
      {
        key: 'error_rate',
        get label() {
          return m.rs_error_rate();
        },
      },
      {
        key: 'latency_p50_ms',
        get label() {
          return m.rs_latency_p50_ms();
        },
      },
      {
        key: 'latency_p95_ms',
        get label() {
          return m.rs_latency_p95_ms();
        },
      },
      {
        key: 'latency_p99_ms',
        get label() {
          return m.rs_latency_p99_ms();
        },
      },
      {
        key: 'throughput_rps',
        get label() {
          return m.rs_throughput_req_s();
        },
      },
    ],
    dims: [
      {
        key: 'service',
        get label() {
          return m.rs_service();
        },
      },
      {
        key: 'route',
        get label() {
          return m.rs_route();
        },
      },
    ],
  },
  {
    key: 'check',
    get label() {
      return m.rs_http_tcp_check();
    },
    metrics: [
      {
        key: 'check_down',
        get label() {
          return m.rs_check_down_1_down();
        },
      },
      {
        key: 'latency_ms',
        get label() {
          return m.rs_check_latency_ms();
        },
      },
      {
        key: 'tls_days_left',
        get label() {
          return m.rs_tls_certificate_days_left();
        },
      },
    ],
    dims: [
      {
        key: 'check',
        get label() {
          return m.rs_check_name();
        },
      },
      {
        key: 'kind',
        get label() {
          return m.rs_check_kind_http_tcp();
        },
      },
    ],
  },
  {
    key: 'db',
    get label() {
      return m.col_database();
    },
    metrics: [
      {
        key: 'connections_used_pct',
        get label() {
          return m.rs_connections_of_max();
        },
      },
      {
        key: 'cache_hit_ratio',
        get label() {
          return m.rs_cache_hit_ratio();
        },
      },
      {
        key: 'replication_lag_s',
        get label() {
          return m.rs_replication_lag_s();
        },
      },
      {
        key: 'deadlocks',
        get label() {
          return m.rs_deadlocks_per_interval();
        },
      },
      {
        key: 'rollback_rate',
        get label() {
          return m.rs_rollbacks_s();
        },
      },
    ],
    dims: [
      {
        key: 'db',
        get label() {
          return m.rs_database_name();
        },
      },
    ],
  },
  {
    key: 'mount',
    get label() {
      return m.rs_mount();
    },
    metrics: [
      {
        key: 'used_percent',
        get label() {
          return m.rs_mount_used();
        },
      },
      {
        key: 'inodes_percent',
        get label() {
          return m.rs_inodes_used();
        },
      },
      {
        key: 'available_bytes',
        get label() {
          return m.rs_available_bytes();
        },
      },
    ],
    dims: [
      {
        key: 'mount',
        get label() {
          return m.rs_mount_path();
        },
      },
      {
        key: 'device',
        get label() {
          return m.rs_device();
        },
      },
      {
        key: 'fstype',
        get label() {
          return m.rs_file_system_type();
        },
      },
    ],
    table: 'host_mount_samples',
  },
  {
    key: 'disk',
    get label() {
      return m.rs_disk_device();
    },
    metrics: [
      {
        key: 'util_percent',
        get label() {
          return m.rs_device_busy();
        },
      },
      {
        key: 'read_bps',
        get label() {
          return m.rs_read_b_s();
        },
      },
      {
        key: 'write_bps',
        get label() {
          return m.rs_write_b_s();
        },
      },
    ],
    dims: [
      {
        key: 'device',
        get label() {
          return m.rs_device();
        },
      },
    ],
    table: 'host_disk_samples',
  },
  {
    key: 'interface',
    get label() {
      return m.rs_network_interface();
    },
    metrics: [
      {
        key: 'rx_bps',
        get label() {
          return m.rs_in_b_s();
        },
      },
      {
        key: 'tx_bps',
        get label() {
          return m.rs_out_b_s();
        },
      },
      {
        key: 'rx_errors_ps',
        get label() {
          return m.rs_receive_errors_s();
        },
      },
      {
        key: 'tx_errors_ps',
        get label() {
          return m.rs_transmit_errors_s();
        },
      },
    ],
    dims: [
      {
        key: 'interface',
        get label() {
          return m.rs_interface();
        },
      },
    ],
    table: 'host_interface_samples',
  },
  {
    key: 'container',
    get label() {
      return m.rs_container();
    },
    metrics: [
      {
        key: 'cpu_percent',
        get label() {
          return m.rs_container_cpu_of_one_core();
        },
      },
      {
        key: 'mem_percent',
        get label() {
          return m.rs_container_memory_of_limit();
        },
      },
      {
        key: 'mem_used',
        get label() {
          return m.rs_container_memory_bytes();
        },
      },
      {
        key: 'pids',
        get label() {
          return m.rs_container_processes();
        },
      },
    ],
    dims: [
      {
        key: 'container',
        get label() {
          return m.rs_container_name();
        },
      },
      {
        key: 'image',
        get label() {
          return m.rs_image();
        },
      },
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

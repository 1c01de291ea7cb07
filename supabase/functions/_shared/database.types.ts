export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  public: {
    Tables: {
      alert_events: {
        Row: {
          actor_email: string | null
          actor_id: string | null
          band_high: number | null
          band_low: number | null
          created_at: string
          expected: number | null
          from_status: string
          host_id: string | null
          id: number
          kind: string
          maintenance_window_id: string | null
          metric: string
          note: string | null
          occurred_at: string
          reason: string | null
          rule_id: string | null
          rule_name: string
          score: number | null
          series: string
          severity: string
          silenced: boolean
          source: string
          suppressed_by: string | null
          team_id: string
          threshold: number | null
          to_status: string
          value: number | null
        }
        Insert: {
          actor_email?: string | null
          actor_id?: string | null
          band_high?: number | null
          band_low?: number | null
          created_at?: string
          expected?: number | null
          from_status: string
          host_id?: string | null
          id?: never
          kind: string
          maintenance_window_id?: string | null
          metric: string
          note?: string | null
          occurred_at: string
          reason?: string | null
          rule_id?: string | null
          rule_name: string
          score?: number | null
          series?: string
          severity: string
          silenced?: boolean
          source?: string
          suppressed_by?: string | null
          team_id: string
          threshold?: number | null
          to_status: string
          value?: number | null
        }
        Update: {
          actor_email?: string | null
          actor_id?: string | null
          band_high?: number | null
          band_low?: number | null
          created_at?: string
          expected?: number | null
          from_status?: string
          host_id?: string | null
          id?: never
          kind?: string
          maintenance_window_id?: string | null
          metric?: string
          note?: string | null
          occurred_at?: string
          reason?: string | null
          rule_id?: string | null
          rule_name?: string
          score?: number | null
          series?: string
          severity?: string
          silenced?: boolean
          source?: string
          suppressed_by?: string | null
          team_id?: string
          threshold?: number | null
          to_status?: string
          value?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "alert_events_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "alert_events_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_events_maintenance_window_id_fkey"
            columns: ["maintenance_window_id"]
            isOneToOne: false
            referencedRelation: "maintenance_windows"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_events_rule_id_fkey"
            columns: ["rule_id"]
            isOneToOne: false
            referencedRelation: "alert_rules"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_events_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      alert_rules: {
        Row: {
          anomaly_window: string
          channel_ids: string[]
          created_at: string
          description: string | null
          enabled: boolean
          for_duration: string
          id: string
          keep_firing_for: string
          kind: string
          metric: string
          name: string
          operator: string
          recovery_threshold: number | null
          recovery_window: string
          repeat_interval: string | null
          scope: string
          scope_host_id: string | null
          scope_label_key: string | null
          scope_label_value: string | null
          sensitivity: string
          series_match: NonNullable<Json>
          severity: string
          source: string
          team_id: string
          threshold: number
          updated_at: string
        }
        Insert: {
          anomaly_window?: string
          channel_ids?: string[]
          created_at?: string
          description?: string | null
          enabled?: boolean
          for_duration?: string
          id?: string
          keep_firing_for?: string
          kind?: string
          metric: string
          name: string
          operator?: string
          recovery_threshold?: number | null
          recovery_window?: string
          repeat_interval?: string | null
          scope?: string
          scope_host_id?: string | null
          scope_label_key?: string | null
          scope_label_value?: string | null
          sensitivity?: string
          series_match?: NonNullable<Json>
          severity?: string
          source?: string
          team_id: string
          threshold: number
          updated_at?: string
        }
        Update: {
          anomaly_window?: string
          channel_ids?: string[]
          created_at?: string
          description?: string | null
          enabled?: boolean
          for_duration?: string
          id?: string
          keep_firing_for?: string
          kind?: string
          metric?: string
          name?: string
          operator?: string
          recovery_threshold?: number | null
          recovery_window?: string
          repeat_interval?: string | null
          scope?: string
          scope_host_id?: string | null
          scope_label_key?: string | null
          scope_label_value?: string | null
          sensitivity?: string
          series_match?: NonNullable<Json>
          severity?: string
          source?: string
          team_id?: string
          threshold?: number
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "alert_rules_scope_host_id_fkey"
            columns: ["scope_host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "alert_rules_scope_host_id_fkey"
            columns: ["scope_host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_rules_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      alert_states: {
        Row: {
          ack_note: string | null
          acknowledged_at: string | null
          acknowledged_by: string | null
          evaluated_at: string
          host_id: string
          last_reminder_at: string | null
          pending_since: string | null
          recovering_since: string | null
          rule_id: string
          series: string
          since: string
          status: string
          team_id: string
          value: number | null
        }
        Insert: {
          ack_note?: string | null
          acknowledged_at?: string | null
          acknowledged_by?: string | null
          evaluated_at?: string
          host_id: string
          last_reminder_at?: string | null
          pending_since?: string | null
          recovering_since?: string | null
          rule_id: string
          series?: string
          since?: string
          status?: string
          team_id: string
          value?: number | null
        }
        Update: {
          ack_note?: string | null
          acknowledged_at?: string | null
          acknowledged_by?: string | null
          evaluated_at?: string
          host_id?: string
          last_reminder_at?: string | null
          pending_since?: string | null
          recovering_since?: string | null
          rule_id?: string
          series?: string
          since?: string
          status?: string
          team_id?: string
          value?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "alert_states_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "alert_states_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_states_rule_id_fkey"
            columns: ["rule_id"]
            isOneToOne: false
            referencedRelation: "alert_rules"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "alert_states_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      anomaly_baselines: {
        Row: {
          band: number
          expected: number
          host_id: string
          hour_of_week: number
          metric: string
          samples: number
          team_id: string
          updated_at: string
        }
        Insert: {
          band: number
          expected: number
          host_id: string
          hour_of_week: number
          metric: string
          samples?: number
          team_id: string
          updated_at?: string
        }
        Update: {
          band?: number
          expected?: number
          host_id?: string
          hour_of_week?: number
          metric?: string
          samples?: number
          team_id?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "anomaly_baselines_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "anomaly_baselines_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "anomaly_baselines_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      app_samples: {
        Row: {
          check_name: string
          detail: Json | null
          error: string | null
          error_rate: number | null
          host_id: string
          kind: string
          latency_ms: number | null
          latency_p50_ms: number | null
          latency_p95_ms: number | null
          latency_p99_ms: number | null
          request_count: number | null
          route: string | null
          service: string | null
          status: string
          status_code: number | null
          target: string | null
          throughput_rps: number | null
          ts: string
        }
        Insert: {
          check_name: string
          detail?: Json | null
          error?: string | null
          error_rate?: number | null
          host_id: string
          kind?: string
          latency_ms?: number | null
          latency_p50_ms?: number | null
          latency_p95_ms?: number | null
          latency_p99_ms?: number | null
          request_count?: number | null
          route?: string | null
          service?: string | null
          status: string
          status_code?: number | null
          target?: string | null
          throughput_rps?: number | null
          ts: string
        }
        Update: {
          check_name?: string
          detail?: Json | null
          error?: string | null
          error_rate?: number | null
          host_id?: string
          kind?: string
          latency_ms?: number | null
          latency_p50_ms?: number | null
          latency_p95_ms?: number | null
          latency_p99_ms?: number | null
          request_count?: number | null
          route?: string | null
          service?: string | null
          status?: string
          status_code?: number | null
          target?: string | null
          throughput_rps?: number | null
          ts?: string
        }
        Relationships: [
          {
            foreignKeyName: "app_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "app_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      app_samples_1h: {
        Row: {
          bucket: string
          check_name: string
          error_rate_avg: number | null
          error_rate_max: number | null
          host_id: string
          latency_avg: number | null
          latency_max: number | null
          latency_min: number | null
          latency_p95: number | null
          latency_p95_avg: number | null
          latency_p95_max: number | null
          samples: number
          throughput_rps_avg: number | null
          throughput_rps_max: number | null
          up_ratio: number | null
        }
        Insert: {
          bucket: string
          check_name: string
          error_rate_avg?: number | null
          error_rate_max?: number | null
          host_id: string
          latency_avg?: number | null
          latency_max?: number | null
          latency_min?: number | null
          latency_p95?: number | null
          latency_p95_avg?: number | null
          latency_p95_max?: number | null
          samples: number
          throughput_rps_avg?: number | null
          throughput_rps_max?: number | null
          up_ratio?: number | null
        }
        Update: {
          bucket?: string
          check_name?: string
          error_rate_avg?: number | null
          error_rate_max?: number | null
          host_id?: string
          latency_avg?: number | null
          latency_max?: number | null
          latency_min?: number | null
          latency_p95?: number | null
          latency_p95_avg?: number | null
          latency_p95_max?: number | null
          samples?: number
          throughput_rps_avg?: number | null
          throughput_rps_max?: number | null
          up_ratio?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "app_samples_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "app_samples_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      app_samples_1m: {
        Row: {
          bucket: string
          check_name: string
          error_rate_avg: number | null
          error_rate_max: number | null
          host_id: string
          latency_avg: number | null
          latency_max: number | null
          latency_min: number | null
          latency_p95: number | null
          latency_p95_avg: number | null
          latency_p95_max: number | null
          samples: number
          throughput_rps_avg: number | null
          throughput_rps_max: number | null
          up_ratio: number | null
        }
        Insert: {
          bucket: string
          check_name: string
          error_rate_avg?: number | null
          error_rate_max?: number | null
          host_id: string
          latency_avg?: number | null
          latency_max?: number | null
          latency_min?: number | null
          latency_p95?: number | null
          latency_p95_avg?: number | null
          latency_p95_max?: number | null
          samples: number
          throughput_rps_avg?: number | null
          throughput_rps_max?: number | null
          up_ratio?: number | null
        }
        Update: {
          bucket?: string
          check_name?: string
          error_rate_avg?: number | null
          error_rate_max?: number | null
          host_id?: string
          latency_avg?: number | null
          latency_max?: number | null
          latency_min?: number | null
          latency_p95?: number | null
          latency_p95_avg?: number | null
          latency_p95_max?: number | null
          samples?: number
          throughput_rps_avg?: number | null
          throughput_rps_max?: number | null
          up_ratio?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "app_samples_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "app_samples_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      channel_secrets: {
        Row: {
          channel_id: string
          config: NonNullable<Json>
          team_id: string
          updated_at: string
        }
        Insert: {
          channel_id: string
          config?: NonNullable<Json>
          team_id: string
          updated_at?: string
        }
        Update: {
          channel_id?: string
          config?: NonNullable<Json>
          team_id?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "channel_secrets_channel_id_team_id_fkey"
            columns: ["channel_id", "team_id"]
            isOneToOne: false
            referencedRelation: "channels"
            referencedColumns: ["id", "team_id"]
          },
        ]
      }
      channels: {
        Row: {
          created_at: string
          enabled: boolean
          id: string
          kind: string
          name: string
          team_id: string
        }
        Insert: {
          created_at?: string
          enabled?: boolean
          id?: string
          kind: string
          name: string
          team_id: string
        }
        Update: {
          created_at?: string
          enabled?: boolean
          id?: string
          kind?: string
          name?: string
          team_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "channels_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      container_samples: {
        Row: {
          blk_read_bps: number | null
          blk_write_bps: number | null
          container_id: string
          cpu_percent: number | null
          host_id: string
          image: string | null
          mem_limit: number | null
          mem_percent: number | null
          mem_used: number | null
          name: string | null
          net_rx_bps: number | null
          net_tx_bps: number | null
          pids: number | null
          ts: string
        }
        Insert: {
          blk_read_bps?: number | null
          blk_write_bps?: number | null
          container_id: string
          cpu_percent?: number | null
          host_id: string
          image?: string | null
          mem_limit?: number | null
          mem_percent?: never
          mem_used?: number | null
          name?: string | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          pids?: number | null
          ts: string
        }
        Update: {
          blk_read_bps?: number | null
          blk_write_bps?: number | null
          container_id?: string
          cpu_percent?: number | null
          host_id?: string
          image?: string | null
          mem_limit?: number | null
          mem_percent?: never
          mem_used?: number | null
          name?: string | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          pids?: number | null
          ts?: string
        }
        Relationships: [
          {
            foreignKeyName: "container_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "container_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      db_samples: {
        Row: {
          cache_hit_ratio: number | null
          connections_active: number | null
          connections_idle: number | null
          connections_idle_in_tx: number | null
          connections_total: number | null
          connections_waiting: number | null
          db_name: string
          deadlocks: number | null
          engine: string
          host_id: string
          max_connections: number | null
          replication_lag_s: number | null
          size_bytes: number | null
          top_statements: Json | null
          ts: string
          xact_commit_rate: number | null
          xact_rollback_rate: number | null
        }
        Insert: {
          cache_hit_ratio?: number | null
          connections_active?: number | null
          connections_idle?: number | null
          connections_idle_in_tx?: number | null
          connections_total?: number | null
          connections_waiting?: number | null
          db_name: string
          deadlocks?: number | null
          engine?: string
          host_id: string
          max_connections?: number | null
          replication_lag_s?: number | null
          size_bytes?: number | null
          top_statements?: Json | null
          ts: string
          xact_commit_rate?: number | null
          xact_rollback_rate?: number | null
        }
        Update: {
          cache_hit_ratio?: number | null
          connections_active?: number | null
          connections_idle?: number | null
          connections_idle_in_tx?: number | null
          connections_total?: number | null
          connections_waiting?: number | null
          db_name?: string
          deadlocks?: number | null
          engine?: string
          host_id?: string
          max_connections?: number | null
          replication_lag_s?: number | null
          size_bytes?: number | null
          top_statements?: Json | null
          ts?: string
          xact_commit_rate?: number | null
          xact_rollback_rate?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "db_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "db_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      enrollment_tokens: {
        Row: {
          created_at: string
          created_by: string | null
          expires_at: string
          host_id: string
          id: string
          team_id: string
          token_hash: string
          used_at: string | null
          used_by: string | null
        }
        Insert: {
          created_at?: string
          created_by?: string | null
          expires_at?: string
          host_id: string
          id?: string
          team_id: string
          token_hash: string
          used_at?: string | null
          used_by?: string | null
        }
        Update: {
          created_at?: string
          created_by?: string | null
          expires_at?: string
          host_id?: string
          id?: string
          team_id?: string
          token_hash?: string
          used_at?: string | null
          used_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "enrollment_tokens_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "enrollment_tokens_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "enrollment_tokens_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      host_disk_samples: {
        Row: {
          device: string
          host_id: string
          read_bps: number | null
          read_iops: number | null
          ts: string
          util_percent: number | null
          write_bps: number | null
          write_iops: number | null
        }
        Insert: {
          device: string
          host_id: string
          read_bps?: number | null
          read_iops?: number | null
          ts: string
          util_percent?: number | null
          write_bps?: number | null
          write_iops?: number | null
        }
        Update: {
          device?: string
          host_id?: string
          read_bps?: number | null
          read_iops?: number | null
          ts?: string
          util_percent?: number | null
          write_bps?: number | null
          write_iops?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_disk_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_disk_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_interface_samples: {
        Row: {
          host_id: string
          interface: string
          rx_bps: number | null
          rx_errors_ps: number | null
          rx_pps: number | null
          ts: string
          tx_bps: number | null
          tx_errors_ps: number | null
          tx_pps: number | null
        }
        Insert: {
          host_id: string
          interface: string
          rx_bps?: number | null
          rx_errors_ps?: number | null
          rx_pps?: number | null
          ts: string
          tx_bps?: number | null
          tx_errors_ps?: number | null
          tx_pps?: number | null
        }
        Update: {
          host_id?: string
          interface?: string
          rx_bps?: number | null
          rx_errors_ps?: number | null
          rx_pps?: number | null
          ts?: string
          tx_bps?: number | null
          tx_errors_ps?: number | null
          tx_pps?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_interface_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_interface_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_latest: {
        Row: {
          cpu_cores: number[] | null
          cpu_count: number | null
          cpu_iowait: number | null
          cpu_steal: number | null
          cpu_system: number | null
          cpu_total: number | null
          cpu_user: number | null
          detail: Json | null
          disk_percent: number | null
          disk_read_bps: number | null
          disk_read_iops: number | null
          disk_total: number | null
          disk_used: number | null
          disk_write_bps: number | null
          disk_write_iops: number | null
          host_id: string
          load_1: number | null
          load_15: number | null
          load_5: number | null
          mem_available: number | null
          mem_percent: number | null
          mem_total: number | null
          mem_used: number | null
          net_connections: number | null
          net_rx_bps: number | null
          net_tx_bps: number | null
          process_count: number | null
          swap_percent: number | null
          swap_total: number | null
          swap_used: number | null
          team_id: string
          temp_c: number | null
          ts: string
          updated_at: string
          uptime_s: number | null
        }
        Insert: {
          cpu_cores?: number[] | null
          cpu_count?: number | null
          cpu_iowait?: number | null
          cpu_steal?: number | null
          cpu_system?: number | null
          cpu_total?: number | null
          cpu_user?: number | null
          detail?: Json | null
          disk_percent?: never
          disk_read_bps?: number | null
          disk_read_iops?: number | null
          disk_total?: number | null
          disk_used?: number | null
          disk_write_bps?: number | null
          disk_write_iops?: number | null
          host_id: string
          load_1?: number | null
          load_15?: number | null
          load_5?: number | null
          mem_available?: number | null
          mem_percent?: never
          mem_total?: number | null
          mem_used?: number | null
          net_connections?: number | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          process_count?: number | null
          swap_percent?: never
          swap_total?: number | null
          swap_used?: number | null
          team_id: string
          temp_c?: number | null
          ts: string
          updated_at?: string
          uptime_s?: number | null
        }
        Update: {
          cpu_cores?: number[] | null
          cpu_count?: number | null
          cpu_iowait?: number | null
          cpu_steal?: number | null
          cpu_system?: number | null
          cpu_total?: number | null
          cpu_user?: number | null
          detail?: Json | null
          disk_percent?: never
          disk_read_bps?: number | null
          disk_read_iops?: number | null
          disk_total?: number | null
          disk_used?: number | null
          disk_write_bps?: number | null
          disk_write_iops?: number | null
          host_id?: string
          load_1?: number | null
          load_15?: number | null
          load_5?: number | null
          mem_available?: number | null
          mem_percent?: never
          mem_total?: number | null
          mem_used?: number | null
          net_connections?: number | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          process_count?: number | null
          swap_percent?: never
          swap_total?: number | null
          swap_used?: number | null
          team_id?: string
          temp_c?: number | null
          ts?: string
          updated_at?: string
          uptime_s?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_latest_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: true
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_latest_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: true
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "host_latest_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      host_mount_samples: {
        Row: {
          available: number | null
          device: string | null
          fstype: string | null
          host_id: string
          inodes_percent: number | null
          mount: string
          percent: number | null
          total: number | null
          ts: string
          used: number | null
        }
        Insert: {
          available?: number | null
          device?: string | null
          fstype?: string | null
          host_id: string
          inodes_percent?: number | null
          mount: string
          percent?: never
          total?: number | null
          ts: string
          used?: number | null
        }
        Update: {
          available?: number | null
          device?: string | null
          fstype?: string | null
          host_id?: string
          inodes_percent?: number | null
          mount?: string
          percent?: never
          total?: number | null
          ts?: string
          used?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_mount_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_mount_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_samples: {
        Row: {
          cpu_cores: number[] | null
          cpu_count: number | null
          cpu_iowait: number | null
          cpu_steal: number | null
          cpu_system: number | null
          cpu_total: number | null
          cpu_user: number | null
          detail: Json | null
          disk_percent: number | null
          disk_read_bps: number | null
          disk_read_iops: number | null
          disk_total: number | null
          disk_used: number | null
          disk_write_bps: number | null
          disk_write_iops: number | null
          host_id: string
          load_1: number | null
          load_15: number | null
          load_5: number | null
          mem_available: number | null
          mem_percent: number | null
          mem_total: number | null
          mem_used: number | null
          net_connections: number | null
          net_rx_bps: number | null
          net_tx_bps: number | null
          process_count: number | null
          swap_percent: number | null
          swap_total: number | null
          swap_used: number | null
          temp_c: number | null
          ts: string
          uptime_s: number | null
        }
        Insert: {
          cpu_cores?: number[] | null
          cpu_count?: number | null
          cpu_iowait?: number | null
          cpu_steal?: number | null
          cpu_system?: number | null
          cpu_total?: number | null
          cpu_user?: number | null
          detail?: Json | null
          disk_percent?: never
          disk_read_bps?: number | null
          disk_read_iops?: number | null
          disk_total?: number | null
          disk_used?: number | null
          disk_write_bps?: number | null
          disk_write_iops?: number | null
          host_id: string
          load_1?: number | null
          load_15?: number | null
          load_5?: number | null
          mem_available?: number | null
          mem_percent?: never
          mem_total?: number | null
          mem_used?: number | null
          net_connections?: number | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          process_count?: number | null
          swap_percent?: never
          swap_total?: number | null
          swap_used?: number | null
          temp_c?: number | null
          ts: string
          uptime_s?: number | null
        }
        Update: {
          cpu_cores?: number[] | null
          cpu_count?: number | null
          cpu_iowait?: number | null
          cpu_steal?: number | null
          cpu_system?: number | null
          cpu_total?: number | null
          cpu_user?: number | null
          detail?: Json | null
          disk_percent?: never
          disk_read_bps?: number | null
          disk_read_iops?: number | null
          disk_total?: number | null
          disk_used?: number | null
          disk_write_bps?: number | null
          disk_write_iops?: number | null
          host_id?: string
          load_1?: number | null
          load_15?: number | null
          load_5?: number | null
          mem_available?: number | null
          mem_percent?: never
          mem_total?: number | null
          mem_used?: number | null
          net_connections?: number | null
          net_rx_bps?: number | null
          net_tx_bps?: number | null
          process_count?: number | null
          swap_percent?: never
          swap_total?: number | null
          swap_used?: number | null
          temp_c?: number | null
          ts?: string
          uptime_s?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_samples_1h: {
        Row: {
          bucket: string
          cpu_iowait_avg: number | null
          cpu_iowait_max: number | null
          cpu_iowait_min: number | null
          cpu_total_avg: number | null
          cpu_total_max: number | null
          cpu_total_min: number | null
          disk_percent_avg: number | null
          disk_percent_max: number | null
          disk_percent_min: number | null
          disk_read_bps_avg: number | null
          disk_read_bps_max: number | null
          disk_read_bps_min: number | null
          disk_write_bps_avg: number | null
          disk_write_bps_max: number | null
          disk_write_bps_min: number | null
          host_id: string
          load_1_avg: number | null
          load_1_max: number | null
          load_1_min: number | null
          mem_percent_avg: number | null
          mem_percent_max: number | null
          mem_percent_min: number | null
          net_connections_avg: number | null
          net_connections_max: number | null
          net_connections_min: number | null
          net_rx_bps_avg: number | null
          net_rx_bps_max: number | null
          net_rx_bps_min: number | null
          net_tx_bps_avg: number | null
          net_tx_bps_max: number | null
          net_tx_bps_min: number | null
          samples: number
          swap_percent_avg: number | null
          swap_percent_max: number | null
          swap_percent_min: number | null
          temp_c_avg: number | null
          temp_c_max: number | null
          temp_c_min: number | null
        }
        Insert: {
          bucket: string
          cpu_iowait_avg?: number | null
          cpu_iowait_max?: number | null
          cpu_iowait_min?: number | null
          cpu_total_avg?: number | null
          cpu_total_max?: number | null
          cpu_total_min?: number | null
          disk_percent_avg?: number | null
          disk_percent_max?: number | null
          disk_percent_min?: number | null
          disk_read_bps_avg?: number | null
          disk_read_bps_max?: number | null
          disk_read_bps_min?: number | null
          disk_write_bps_avg?: number | null
          disk_write_bps_max?: number | null
          disk_write_bps_min?: number | null
          host_id: string
          load_1_avg?: number | null
          load_1_max?: number | null
          load_1_min?: number | null
          mem_percent_avg?: number | null
          mem_percent_max?: number | null
          mem_percent_min?: number | null
          net_connections_avg?: number | null
          net_connections_max?: number | null
          net_connections_min?: number | null
          net_rx_bps_avg?: number | null
          net_rx_bps_max?: number | null
          net_rx_bps_min?: number | null
          net_tx_bps_avg?: number | null
          net_tx_bps_max?: number | null
          net_tx_bps_min?: number | null
          samples: number
          swap_percent_avg?: number | null
          swap_percent_max?: number | null
          swap_percent_min?: number | null
          temp_c_avg?: number | null
          temp_c_max?: number | null
          temp_c_min?: number | null
        }
        Update: {
          bucket?: string
          cpu_iowait_avg?: number | null
          cpu_iowait_max?: number | null
          cpu_iowait_min?: number | null
          cpu_total_avg?: number | null
          cpu_total_max?: number | null
          cpu_total_min?: number | null
          disk_percent_avg?: number | null
          disk_percent_max?: number | null
          disk_percent_min?: number | null
          disk_read_bps_avg?: number | null
          disk_read_bps_max?: number | null
          disk_read_bps_min?: number | null
          disk_write_bps_avg?: number | null
          disk_write_bps_max?: number | null
          disk_write_bps_min?: number | null
          host_id?: string
          load_1_avg?: number | null
          load_1_max?: number | null
          load_1_min?: number | null
          mem_percent_avg?: number | null
          mem_percent_max?: number | null
          mem_percent_min?: number | null
          net_connections_avg?: number | null
          net_connections_max?: number | null
          net_connections_min?: number | null
          net_rx_bps_avg?: number | null
          net_rx_bps_max?: number | null
          net_rx_bps_min?: number | null
          net_tx_bps_avg?: number | null
          net_tx_bps_max?: number | null
          net_tx_bps_min?: number | null
          samples?: number
          swap_percent_avg?: number | null
          swap_percent_max?: number | null
          swap_percent_min?: number | null
          temp_c_avg?: number | null
          temp_c_max?: number | null
          temp_c_min?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_samples_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_samples_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_samples_1m: {
        Row: {
          bucket: string
          cpu_iowait_avg: number | null
          cpu_iowait_max: number | null
          cpu_iowait_min: number | null
          cpu_total_avg: number | null
          cpu_total_max: number | null
          cpu_total_min: number | null
          disk_percent_avg: number | null
          disk_percent_max: number | null
          disk_percent_min: number | null
          disk_read_bps_avg: number | null
          disk_read_bps_max: number | null
          disk_read_bps_min: number | null
          disk_write_bps_avg: number | null
          disk_write_bps_max: number | null
          disk_write_bps_min: number | null
          host_id: string
          load_1_avg: number | null
          load_1_max: number | null
          load_1_min: number | null
          mem_percent_avg: number | null
          mem_percent_max: number | null
          mem_percent_min: number | null
          net_connections_avg: number | null
          net_connections_max: number | null
          net_connections_min: number | null
          net_rx_bps_avg: number | null
          net_rx_bps_max: number | null
          net_rx_bps_min: number | null
          net_tx_bps_avg: number | null
          net_tx_bps_max: number | null
          net_tx_bps_min: number | null
          samples: number
          swap_percent_avg: number | null
          swap_percent_max: number | null
          swap_percent_min: number | null
          temp_c_avg: number | null
          temp_c_max: number | null
          temp_c_min: number | null
        }
        Insert: {
          bucket: string
          cpu_iowait_avg?: number | null
          cpu_iowait_max?: number | null
          cpu_iowait_min?: number | null
          cpu_total_avg?: number | null
          cpu_total_max?: number | null
          cpu_total_min?: number | null
          disk_percent_avg?: number | null
          disk_percent_max?: number | null
          disk_percent_min?: number | null
          disk_read_bps_avg?: number | null
          disk_read_bps_max?: number | null
          disk_read_bps_min?: number | null
          disk_write_bps_avg?: number | null
          disk_write_bps_max?: number | null
          disk_write_bps_min?: number | null
          host_id: string
          load_1_avg?: number | null
          load_1_max?: number | null
          load_1_min?: number | null
          mem_percent_avg?: number | null
          mem_percent_max?: number | null
          mem_percent_min?: number | null
          net_connections_avg?: number | null
          net_connections_max?: number | null
          net_connections_min?: number | null
          net_rx_bps_avg?: number | null
          net_rx_bps_max?: number | null
          net_rx_bps_min?: number | null
          net_tx_bps_avg?: number | null
          net_tx_bps_max?: number | null
          net_tx_bps_min?: number | null
          samples: number
          swap_percent_avg?: number | null
          swap_percent_max?: number | null
          swap_percent_min?: number | null
          temp_c_avg?: number | null
          temp_c_max?: number | null
          temp_c_min?: number | null
        }
        Update: {
          bucket?: string
          cpu_iowait_avg?: number | null
          cpu_iowait_max?: number | null
          cpu_iowait_min?: number | null
          cpu_total_avg?: number | null
          cpu_total_max?: number | null
          cpu_total_min?: number | null
          disk_percent_avg?: number | null
          disk_percent_max?: number | null
          disk_percent_min?: number | null
          disk_read_bps_avg?: number | null
          disk_read_bps_max?: number | null
          disk_read_bps_min?: number | null
          disk_write_bps_avg?: number | null
          disk_write_bps_max?: number | null
          disk_write_bps_min?: number | null
          host_id?: string
          load_1_avg?: number | null
          load_1_max?: number | null
          load_1_min?: number | null
          mem_percent_avg?: number | null
          mem_percent_max?: number | null
          mem_percent_min?: number | null
          net_connections_avg?: number | null
          net_connections_max?: number | null
          net_connections_min?: number | null
          net_rx_bps_avg?: number | null
          net_rx_bps_max?: number | null
          net_rx_bps_min?: number | null
          net_tx_bps_avg?: number | null
          net_tx_bps_max?: number | null
          net_tx_bps_min?: number | null
          samples?: number
          swap_percent_avg?: number | null
          swap_percent_max?: number | null
          swap_percent_min?: number | null
          temp_c_avg?: number | null
          temp_c_max?: number | null
          temp_c_min?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "host_samples_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_samples_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_samples_compact: {
        Row: {
          data: string
          host_id: string
          hour: string
          samples: number
        }
        Insert: {
          data: string
          host_id: string
          hour: string
          samples: number
        }
        Update: {
          data?: string
          host_id?: string
          hour?: string
          samples?: number
        }
        Relationships: [
          {
            foreignKeyName: "host_samples_compact_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_samples_compact_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_series_1h: {
        Row: {
          avg: number | null
          bucket: string
          host_id: string
          key: string
          max: number | null
          metric: string
          min: number | null
          samples: number
          source: string
        }
        Insert: {
          avg?: number | null
          bucket: string
          host_id: string
          key: string
          max?: number | null
          metric: string
          min?: number | null
          samples: number
          source: string
        }
        Update: {
          avg?: number | null
          bucket?: string
          host_id?: string
          key?: string
          max?: number | null
          metric?: string
          min?: number | null
          samples?: number
          source?: string
        }
        Relationships: [
          {
            foreignKeyName: "host_series_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_series_1h_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_series_1m: {
        Row: {
          avg: number | null
          bucket: string
          host_id: string
          key: string
          max: number | null
          metric: string
          min: number | null
          samples: number
          source: string
        }
        Insert: {
          avg?: number | null
          bucket: string
          host_id: string
          key: string
          max?: number | null
          metric: string
          min?: number | null
          samples: number
          source: string
        }
        Update: {
          avg?: number | null
          bucket?: string
          host_id?: string
          key?: string
          max?: number | null
          metric?: string
          min?: number | null
          samples?: number
          source?: string
        }
        Relationships: [
          {
            foreignKeyName: "host_series_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_series_1m_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      host_series_compact: {
        Row: {
          data: NonNullable<Json>
          host_id: string
          hour: string
          key: string
          samples: number
          source: string
        }
        Insert: {
          data: NonNullable<Json>
          host_id: string
          hour: string
          key: string
          samples: number
          source: string
        }
        Update: {
          data?: NonNullable<Json>
          host_id?: string
          hour?: string
          key?: string
          samples?: number
          source?: string
        }
        Relationships: [
          {
            foreignKeyName: "host_series_compact_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "host_series_compact_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
      hosts: {
        Row: {
          agent_user_id: string | null
          agent_version: string | null
          agent_version_at: string | null
          created_at: string
          id: string
          labels: NonNullable<Json>
          last_seen_at: string | null
          name: string
          sample_interval_s: number
          slug: string
          team_id: string
        }
        Insert: {
          agent_user_id?: string | null
          agent_version?: string | null
          agent_version_at?: string | null
          created_at?: string
          id?: string
          labels?: NonNullable<Json>
          last_seen_at?: string | null
          name: string
          sample_interval_s?: number
          slug: string
          team_id: string
        }
        Update: {
          agent_user_id?: string | null
          agent_version?: string | null
          agent_version_at?: string | null
          created_at?: string
          id?: string
          labels?: NonNullable<Json>
          last_seen_at?: string | null
          name?: string
          sample_interval_s?: number
          slug?: string
          team_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "hosts_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      maintenance_windows: {
        Row: {
          comment: string | null
          created_at: string
          created_by: string | null
          cron: string | null
          duration: string | null
          enabled: boolean
          end_time: string | null
          ends_at: string | null
          host_ids: string[]
          id: string
          kind: string
          labels: NonNullable<Json>
          name: string
          scope: string
          start_time: string | null
          starts_at: string | null
          team_id: string
          time_zone: string
          updated_at: string
          weekdays: number[] | null
        }
        Insert: {
          comment?: string | null
          created_at?: string
          created_by?: string | null
          cron?: string | null
          duration?: string | null
          enabled?: boolean
          end_time?: string | null
          ends_at?: string | null
          host_ids?: string[]
          id?: string
          kind: string
          labels?: NonNullable<Json>
          name: string
          scope?: string
          start_time?: string | null
          starts_at?: string | null
          team_id: string
          time_zone?: string
          updated_at?: string
          weekdays?: number[] | null
        }
        Update: {
          comment?: string | null
          created_at?: string
          created_by?: string | null
          cron?: string | null
          duration?: string | null
          enabled?: boolean
          end_time?: string | null
          ends_at?: string | null
          host_ids?: string[]
          id?: string
          kind?: string
          labels?: NonNullable<Json>
          name?: string
          scope?: string
          start_time?: string | null
          starts_at?: string | null
          team_id?: string
          time_zone?: string
          updated_at?: string
          weekdays?: number[] | null
        }
        Relationships: [
          {
            foreignKeyName: "maintenance_windows_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      metrics: {
        Row: {
          data: NonNullable<Json>
          id: number
          key: string
          team_id: string
          timestamp: string
        }
        Insert: {
          data: NonNullable<Json>
          id?: never
          key: string
          team_id: string
          timestamp?: string
        }
        Update: {
          data?: NonNullable<Json>
          id?: never
          key?: string
          team_id?: string
          timestamp?: string
        }
        Relationships: [
          {
            foreignKeyName: "metrics_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      notification_error_details: {
        Row: {
          detail: string
          notification_id: number
          recorded_at: string
          team_id: string
        }
        Insert: {
          detail: string
          notification_id: number
          recorded_at?: string
          team_id: string
        }
        Update: {
          detail?: string
          notification_id?: number
          recorded_at?: string
          team_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "notification_error_details_notification_id_fkey"
            columns: ["notification_id"]
            isOneToOne: true
            referencedRelation: "notifications"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "notification_error_details_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      notifications: {
        Row: {
          attempts: number
          channel_id: string
          created_at: string
          event_id: number
          id: number
          last_error: string | null
          next_attempt_at: string
          sent_at: string | null
          status: string
          team_id: string
        }
        Insert: {
          attempts?: number
          channel_id: string
          created_at?: string
          event_id: number
          id?: never
          last_error?: string | null
          next_attempt_at?: string
          sent_at?: string | null
          status?: string
          team_id: string
        }
        Update: {
          attempts?: number
          channel_id?: string
          created_at?: string
          event_id?: number
          id?: never
          last_error?: string | null
          next_attempt_at?: string
          sent_at?: string | null
          status?: string
          team_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "notifications_channel_id_fkey"
            columns: ["channel_id"]
            isOneToOne: false
            referencedRelation: "channels"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "notifications_event_id_fkey"
            columns: ["event_id"]
            isOneToOne: false
            referencedRelation: "alert_events"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "notifications_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      silences: {
        Row: {
          comment: string | null
          created_at: string
          created_by: string | null
          ends_at: string
          host_id: string | null
          id: string
          label_key: string | null
          label_value: string | null
          rule_id: string | null
          starts_at: string
          team_id: string
        }
        Insert: {
          comment?: string | null
          created_at?: string
          created_by?: string | null
          ends_at: string
          host_id?: string | null
          id?: string
          label_key?: string | null
          label_value?: string | null
          rule_id?: string | null
          starts_at?: string
          team_id: string
        }
        Update: {
          comment?: string | null
          created_at?: string
          created_by?: string | null
          ends_at?: string
          host_id?: string | null
          id?: string
          label_key?: string | null
          label_value?: string | null
          rule_id?: string | null
          starts_at?: string
          team_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "silences_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "silences_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "silences_rule_id_fkey"
            columns: ["rule_id"]
            isOneToOne: false
            referencedRelation: "alert_rules"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "silences_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      team_invitations: {
        Row: {
          accepted_at: string | null
          accepted_by: string | null
          created_at: string
          declined_at: string | null
          email: string
          expires_at: string
          id: string
          invited_by: string | null
          mail_error: string | null
          mail_status: string | null
          revoked_at: string | null
          revoked_by: string | null
          role: Database["public"]["Enums"]["team_role"]
          team_id: string
          token_hash: string
        }
        Insert: {
          accepted_at?: string | null
          accepted_by?: string | null
          created_at?: string
          declined_at?: string | null
          email: string
          expires_at?: string
          id?: string
          invited_by?: string | null
          mail_error?: string | null
          mail_status?: string | null
          revoked_at?: string | null
          revoked_by?: string | null
          role?: Database["public"]["Enums"]["team_role"]
          team_id: string
          token_hash: string
        }
        Update: {
          accepted_at?: string | null
          accepted_by?: string | null
          created_at?: string
          declined_at?: string | null
          email?: string
          expires_at?: string
          id?: string
          invited_by?: string | null
          mail_error?: string | null
          mail_status?: string | null
          revoked_at?: string | null
          revoked_by?: string | null
          role?: Database["public"]["Enums"]["team_role"]
          team_id?: string
          token_hash?: string
        }
        Relationships: [
          {
            foreignKeyName: "team_invitations_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      team_members: {
        Row: {
          created_at: string
          role: Database["public"]["Enums"]["team_role"]
          team_id: string
          user_id: string
        }
        Insert: {
          created_at?: string
          role?: Database["public"]["Enums"]["team_role"]
          team_id: string
          user_id: string
        }
        Update: {
          created_at?: string
          role?: Database["public"]["Enums"]["team_role"]
          team_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "team_members_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      team_settings: {
        Row: {
          hour_retention: string
          locale: string
          minute_retention: string
          offline_after_intervals: number
          raw_retention: string
          snapshot_retention: string
          team_id: string
          updated_at: string
        }
        Insert: {
          hour_retention?: string
          locale?: string
          minute_retention?: string
          offline_after_intervals?: number
          raw_retention?: string
          snapshot_retention?: string
          team_id: string
          updated_at?: string
        }
        Update: {
          hour_retention?: string
          locale?: string
          minute_retention?: string
          offline_after_intervals?: number
          raw_retention?: string
          snapshot_retention?: string
          team_id?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "team_settings_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: true
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      teams: {
        Row: {
          created_at: string
          id: string
          name: string
          require_mfa: boolean
        }
        Insert: {
          created_at?: string
          id?: string
          name: string
          require_mfa?: boolean
        }
        Update: {
          created_at?: string
          id?: string
          name?: string
          require_mfa?: boolean
        }
        Relationships: []
      }
    }
    Views: {
      host_status: {
        Row: {
          cpu_count: number | null
          cpu_total: number | null
          disk_percent: number | null
          disk_total: number | null
          disk_used: number | null
          firing_alerts: number | null
          host_id: string | null
          labels: Json | null
          last_seen_at: string | null
          load_1: number | null
          mem_percent: number | null
          mem_total: number | null
          mem_used: number | null
          name: string | null
          net_connections: number | null
          net_rx_bps: number | null
          net_tx_bps: number | null
          slug: string | null
          status: string | null
          team_id: string | null
          uptime_s: number | null
        }
        Relationships: [
          {
            foreignKeyName: "hosts_team_id_fkey"
            columns: ["team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["id"]
          },
        ]
      }
      top_statements: {
        Row: {
          calls: number | null
          db_name: string | null
          host_id: string | null
          mean_ms: number | null
          query: string | null
          queryid: string | null
          rank: number | null
          rows: number | null
          total_ms: number | null
          ts: string | null
        }
        Relationships: [
          {
            foreignKeyName: "db_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "host_status"
            referencedColumns: ["host_id"]
          },
          {
            foreignKeyName: "db_samples_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "hosts"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Functions: {
      accept_invitation: {
        Args: { p_invitation_id?: string; p_token?: string }
        Returns: {
          role: Database["public"]["Enums"]["team_role"]
          team_id: string
          team_name: string
        }[]
      }
      acknowledge_alert: {
        Args: {
          p_host_id: string
          p_note?: string
          p_rule_id: string
          p_series?: string
        }
        Returns: {
          actor_email: string | null
          actor_id: string | null
          band_high: number | null
          band_low: number | null
          created_at: string
          expected: number | null
          from_status: string
          host_id: string | null
          id: number
          kind: string
          maintenance_window_id: string | null
          metric: string
          note: string | null
          occurred_at: string
          reason: string | null
          rule_id: string | null
          rule_name: string
          score: number | null
          series: string
          severity: string
          silenced: boolean
          source: string
          suppressed_by: string | null
          team_id: string
          threshold: number | null
          to_status: string
          value: number | null
        }
        SetofOptions: {
          from: "*"
          to: "alert_events"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      add_default_rules: {
        Args: { p_team_id: string }
        Returns: {
          anomaly_window: string
          channel_ids: string[]
          created_at: string
          description: string | null
          enabled: boolean
          for_duration: string
          id: string
          keep_firing_for: string
          kind: string
          metric: string
          name: string
          operator: string
          recovery_threshold: number | null
          recovery_window: string
          repeat_interval: string | null
          scope: string
          scope_host_id: string | null
          scope_label_key: string | null
          scope_label_value: string | null
          sensitivity: string
          series_match: NonNullable<Json>
          severity: string
          source: string
          team_id: string
          threshold: number
          updated_at: string
        }[]
        SetofOptions: {
          from: "*"
          to: "alert_rules"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      anomaly_band_preview: {
        Args: { p_from: string; p_host_id: string; p_rule: Json; p_to?: string }
        Returns: {
          anomalous: boolean
          band_high: number
          band_low: number
          expected: number
          ts: string
          value: number
        }[]
      }
      anomaly_inputs: { Args: { p_at?: string }; Returns: Json }
      apply_anomaly_results: {
        Args: { p_results: Json }
        Returns: {
          actor_email: string | null
          actor_id: string | null
          band_high: number | null
          band_low: number | null
          created_at: string
          expected: number | null
          from_status: string
          host_id: string | null
          id: number
          kind: string
          maintenance_window_id: string | null
          metric: string
          note: string | null
          occurred_at: string
          reason: string | null
          rule_id: string | null
          rule_name: string
          score: number | null
          series: string
          severity: string
          silenced: boolean
          source: string
          suppressed_by: string | null
          team_id: string
          threshold: number | null
          to_status: string
          value: number | null
        }[]
        SetofOptions: {
          from: "*"
          to: "alert_events"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      attach_agent_user: {
        Args: { p_token_id: string; p_user_id: string }
        Returns: undefined
      }
      backtest_rule: {
        Args: { p_from: string; p_rule_id: string; p_to?: string }
        Returns: {
          event: string
          host_id: string
          host_name: string
          series: string
          status: string
          ts: string
          value: number
        }[]
      }
      backtest_rule_draft: {
        Args: { p_from: string; p_rule: Json; p_to?: string }
        Returns: {
          event: string
          host_id: string
          host_name: string
          series: string
          status: string
          ts: string
          value: number
        }[]
      }
      channel_settings: {
        Args: { p_team_id: string }
        Returns: {
          channel_id: string
          secrets_set: string[]
          settings: Json
        }[]
      }
      claim_enrollment_token: { Args: { p_token: string }; Returns: Json }
      claim_invitation_mails: {
        Args: { p_lease_seconds?: number; p_limit?: number }
        Returns: {
          attempts: number
          channel_enabled: boolean
          channel_id: string
          channel_name: string
          config: Json
          email: string
          expires_at: string
          invitation_id: string
          invited_by_email: string
          mail_id: number
          role: string
          team_id: string
          team_name: string
          token: string
        }[]
      }
      claim_notifications: {
        Args: { p_lease_seconds?: number; p_limit?: number }
        Returns: {
          attempts: number
          channel_enabled: boolean
          channel_id: string
          channel_kind: string
          channel_name: string
          config: Json
          event: Json
          host: Json
          notification_id: number
          team_id: string
        }[]
      }
      create_enrollment_token: {
        Args: { p_host_id: string; p_valid_for?: string }
        Returns: {
          expires_at: string
          token: string
        }[]
      }
      create_host: {
        Args: {
          p_labels?: Json
          p_name: string
          p_slug?: string
          p_team_id: string
        }
        Returns: {
          expires_at: string
          host_id: string
          token: string
        }[]
      }
      create_invitation: {
        Args: {
          p_email: string
          p_role?: Database["public"]["Enums"]["team_role"]
          p_team_id: string
          p_valid_for?: string
        }
        Returns: {
          expires_at: string
          invitation_id: string
          mailed: boolean
          token: string
        }[]
      }
      decline_invitation: {
        Args: { p_invitation_id?: string; p_token?: string }
        Returns: undefined
      }
      invitation_by_token: {
        Args: { p_token: string }
        Returns: {
          email: string
          expires_at: string
          id: string
          invited_by_email: string
          role: Database["public"]["Enums"]["team_role"]
          team_id: string
          team_name: string
        }[]
      }
      metrics_range: {
        Args: {
          p_from: string
          p_host_id: string
          p_resolution?: string
          p_to?: string
        }
        Returns: {
          cpu_iowait: number
          cpu_iowait_max: number
          cpu_total: number
          cpu_total_max: number
          disk_percent: number
          disk_percent_max: number
          disk_read_bps: number
          disk_read_bps_max: number
          disk_write_bps: number
          disk_write_bps_max: number
          load_1: number
          load_1_max: number
          mem_percent: number
          mem_percent_max: number
          net_connections: number
          net_rx_bps: number
          net_rx_bps_max: number
          net_tx_bps: number
          net_tx_bps_max: number
          resolution: string
          samples: number
          swap_percent: number
          swap_percent_max: number
          temp_c: number
          temp_c_max: number
          ts: string
        }[]
      }
      my_invitations: {
        Args: Record<PropertyKey, never>
        Returns: {
          created_at: string
          expires_at: string
          id: string
          invited_by_email: string
          role: Database["public"]["Enums"]["team_role"]
          team_id: string
          team_name: string
        }[]
      }
      next_maintenance_windows: {
        Args: { p_at?: string; p_team_id: string }
        Returns: {
          active: boolean
          ends_at: string
          starts_at: string
          window_id: string
        }[]
      }
      refresh_anomaly_baselines: {
        Args: { p_at?: string; p_max_age?: string }
        Returns: number
      }
      refund_enrollment_attempt: {
        Args: { p_address: string; p_window_start: string }
        Returns: undefined
      }
      release_enrollment_token: {
        Args: { p_token_id: string }
        Returns: undefined
      }
      report_agent_version: { Args: { p_version: string }; Returns: undefined }
      revoke_invitation: {
        Args: { p_invitation_id: string }
        Returns: undefined
      }
      set_channel_config: {
        Args: { p_channel_id: string; p_config: Json }
        Returns: undefined
      }
      settle_invitation_mails: {
        Args: {
          p_error?: string
          p_ids: number[]
          p_max_attempts?: number
          p_permanent?: boolean
        }
        Returns: {
          attempts: number
          id: number
          status: string
        }[]
      }
      settle_notifications: {
        Args: {
          p_error?: string
          p_error_detail?: string
          p_ids: number[]
          p_max_attempts?: number
          p_permanent?: boolean
        }
        Returns: {
          attempts: number
          id: number
          next_attempt_at: string
          status: string
        }[]
      }
      snapshot_cache_inputs: { Args: { p_since: string }; Returns: Json }
      take_enrollment_attempt: {
        Args: { p_address: string; p_limit: number; p_window_seconds: number }
        Returns: Json
      }
      team_member_emails: {
        Args: { p_team_id: string }
        Returns: {
          created_at: string
          email: string
          role: Database["public"]["Enums"]["team_role"]
          user_id: string
        }[]
      }
    }
    Enums: {
      team_role: "owner" | "admin" | "viewer"
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  public: {
    Enums: {
      team_role: ["owner", "admin", "viewer"],
    },
  },
} as const


/** Alert rules as the rules page edits them, and their conversion to and from alert_rules rows. */
import type { Tables, TablesInsert } from '$shared/database.types.ts';
import { m } from '#lib/paraglide/messages.js';

/** Metrics a rule can watch (the alert_rules.metric check), with labels. */
export const METRICS: { key: string; label: () => string }[] = [
  { key: 'cpu_total', label: m.metric_cpu_total },
  { key: 'cpu_iowait', label: m.metric_cpu_iowait },
  { key: 'cpu_steal', label: m.metric_cpu_steal },
  { key: 'cpu_user', label: m.metric_cpu_user },
  { key: 'cpu_system', label: m.metric_cpu_system },
  { key: 'load_1', label: m.metric_load_1 },
  { key: 'load_5', label: m.metric_load_5 },
  { key: 'load_15', label: m.metric_load_15 },
  { key: 'mem_percent', label: m.metric_mem_percent },
  { key: 'swap_percent', label: m.metric_swap_percent },
  { key: 'disk_percent', label: m.metric_disk_percent },
  { key: 'disk_read_bps', label: m.metric_disk_read_bps },
  { key: 'disk_write_bps', label: m.metric_disk_write_bps },
  { key: 'disk_read_iops', label: m.metric_disk_read_iops },
  { key: 'disk_write_iops', label: m.metric_disk_write_iops },
  { key: 'net_rx_bps', label: m.metric_net_rx_bps },
  { key: 'net_tx_bps', label: m.metric_net_tx_bps },
  { key: 'net_connections', label: m.metric_net_connections },
  { key: 'process_count', label: m.metric_process_count },
  { key: 'temp_c', label: m.metric_temp_c },
  { key: 'host_down', label: m.metric_host_down },
];

/** An alert_rules row as read. */
export type RuleRow = Tables<'alert_rules'>;

/** The comparison operators, severities and scopes the alert_rules checks allow (text columns in the types). */
export type RuleOperator = '>' | '>=' | '<' | '<=';
export type RuleSeverity = 'warning' | 'critical';
export type RuleScope = 'all' | 'host' | 'label';

/** The form's fields. */
export interface RuleDraft {
  name: string;
  metric: string;
  operator: RuleOperator;
  threshold: number;
  recovery: string;
  forSeconds: number;
  severity: RuleSeverity;
  scope: RuleScope;
  hostId: string;
  labelKey: string;
  labelValue: string;
  channelIds: string[];
  enabled: boolean;
  /** Remind every this many seconds while firing and unacknowledged; 0 = never. */
  repeatSeconds: number;
}

/** The reminder intervals the form offers (alert_rules.repeat_interval allows 5 minutes to 7 days, or none). */
export const REPEAT_CHOICES: { seconds: number; label: () => string }[] = [
  { seconds: 0, label: m.repeat_never },
  { seconds: 900, label: m.repeat_15m },
  { seconds: 3600, label: m.silence_1h },
  { seconds: 4 * 3600, label: m.silence_4h },
  { seconds: 12 * 3600, label: m.repeat_12h },
  { seconds: 86400, label: m.silence_1d },
];

/** A fresh draft. */
export function emptyDraft(): RuleDraft {
  return {
    name: '',
    metric: 'cpu_total',
    operator: '>',
    threshold: 90,
    recovery: '',
    forSeconds: 60,
    severity: 'warning',
    scope: 'all',
    hostId: '',
    labelKey: '',
    labelValue: '',
    channelIds: [],
    enabled: true,
    repeatSeconds: 4 * 3600,
  };
}

/** Seconds of a Postgres interval as PostgREST returns it ("00:01:30", "1 day 02:00:00"). */
export function intervalSeconds(text: string): number {
  const days = /(\d+) days?/.exec(text);
  const hms = /(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(text);
  return (days ? +days[1]! * 86400 : 0) + (hms ? +hms[1]! * 3600 + +hms[2]! * 60 + Math.round(+hms[3]!) : 0);
}

/** A draft from a stored rule. */
export function draftFromRow(r: RuleRow): RuleDraft {
  return {
    name: r.name,
    metric: r.metric,
    operator: r.operator as RuleOperator,
    threshold: r.threshold,
    recovery: r.recovery_threshold == null ? '' : String(r.recovery_threshold),
    forSeconds: intervalSeconds(r.for_duration),
    severity: r.severity as RuleSeverity,
    scope: r.scope as RuleScope,
    hostId: r.scope_host_id ?? '',
    labelKey: r.scope_label_key ?? '',
    labelValue: r.scope_label_value ?? '',
    channelIds: [...r.channel_ids],
    enabled: r.enabled,
    repeatSeconds: r.repeat_interval == null ? 0 : intervalSeconds(r.repeat_interval),
  };
}

/** The columns to write for a draft. */
export function rowFromDraft(d: RuleDraft, teamId: string): TablesInsert<'alert_rules'> {
  return {
    team_id: teamId,
    name: d.name.trim(),
    metric: d.metric,
    operator: d.operator,
    threshold: d.threshold,
    recovery_threshold: d.recovery.trim() === '' ? null : Number(d.recovery),
    for_duration: `${Math.max(0, Math.round(d.forSeconds))} seconds`,
    severity: d.severity,
    scope: d.scope,
    scope_host_id: d.scope === 'host' ? d.hostId || null : null,
    scope_label_key: d.scope === 'label' ? d.labelKey.trim() || null : null,
    scope_label_value: d.scope === 'label' ? d.labelValue.trim() || null : null,
    channel_ids: d.channelIds,
    enabled: d.enabled,
    repeat_interval: d.repeatSeconds > 0 ? `${Math.round(d.repeatSeconds)} seconds` : null,
  };
}

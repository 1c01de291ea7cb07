/** Alert rules as the rules page edits them, and their conversion to and from alert_rules rows. */
import { m } from '#lib/paraglide/messages.js';
import type { Tables, TablesInsert } from '$shared/database.types.ts';
import { ANOMALY_METRICS, metricLabel, sourceOf, type MetricOption, type RuleSource } from './rule-sources.ts';

export {
  ANOMALY_METRICS,
  METRICS,
  metricLabel,
  SOURCES,
  sourceOf,
  type MetricOption,
  type RuleSource,
} from './rule-sources.ts';

/** An alert_rules row as read. */
export type RuleRow = Tables<'alert_rules'>;

/** The comparison operators, severities, scopes and kinds the alert_rules checks allow (text columns in the types). */
export type RuleOperator = '>' | '>=' | '<' | '<=';
export type RuleSeverity = 'warning' | 'critical';
export type RuleScope = 'all' | 'host' | 'label';
export type RuleKind = 'threshold' | 'anomaly';
export type RuleSensitivity = 'low' | 'medium' | 'high';

/** The form's fields. */
export interface RuleDraft {
  name: string;
  kind: RuleKind;
  source: RuleSource;
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
  /** Dimension values of the source (empty: any). */
  match: Record<string, string>;
  /** Anomaly rules: band width and the trigger window; anomalousPct is the share of the window (threshold × 100). */
  sensitivity: RuleSensitivity;
  windowMinutes: number;
  anomalousPct: number;
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
    kind: 'threshold',
    source: 'host',
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
    match: {},
    sensitivity: 'medium',
    windowMinutes: 5,
    anomalousPct: 50,
    channelIds: [],
    enabled: true,
    repeatSeconds: 4 * 3600,
  };
}

/** The metrics the draft may pick: by kind and source. */
export function metricsFor(d: Pick<RuleDraft, 'kind' | 'source'>): MetricOption[] {
  return d.kind === 'anomaly' ? ANOMALY_METRICS : sourceOf(d.source).metrics;
}

/** Keeps a draft valid after its kind or source changed: anomaly rules watch hosts, metric in the list, no foreign dimensions. */
export function normalizeDraft(d: RuleDraft): RuleDraft {
  const source: RuleSource = d.kind === 'anomaly' ? 'host' : d.source;
  const metrics = metricsFor({ kind: d.kind, source });
  const metric = metrics.some((m) => m.key === d.metric) ? d.metric : metrics[0]!.key;
  const dims = sourceOf(source).dims.map((x) => x.key);
  const match = Object.fromEntries(Object.entries(d.match).filter(([k]) => dims.includes(k)));
  return { ...d, source, metric, match };
}

/** Seconds of a Postgres interval as PostgREST returns it ("00:01:30", "1 day 02:00:00"). */
export function intervalSeconds(text: string): number {
  const days = /(\d+) days?/.exec(text);
  const hms = /(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(text);
  return (days ? +days[1]! * 86400 : 0) + (hms ? +hms[1]! * 3600 + +hms[2]! * 60 + Math.round(+hms[3]!) : 0);
}

/** A draft from a stored rule. */
export function draftFromRow(r: RuleRow): RuleDraft {
  const anomaly = r.kind === 'anomaly';
  const match = (r.series_match ?? {}) as Record<string, string>;
  return {
    name: r.name,
    kind: anomaly ? 'anomaly' : 'threshold',
    source: (r.source ?? 'host') as RuleSource,
    metric: r.metric,
    operator: r.operator as RuleOperator,
    threshold: anomaly ? 90 : r.threshold,
    recovery: r.recovery_threshold == null ? '' : String(r.recovery_threshold),
    forSeconds: intervalSeconds(r.for_duration),
    severity: r.severity as RuleSeverity,
    scope: r.scope as RuleScope,
    hostId: r.scope_host_id ?? '',
    labelKey: r.scope_label_key ?? '',
    labelValue: r.scope_label_value ?? '',
    match: { ...match },
    sensitivity: (r.sensitivity ?? 'medium') as RuleSensitivity,
    windowMinutes: Math.round(intervalSeconds(r.anomaly_window ?? '00:05:00') / 60),
    anomalousPct: anomaly ? Math.round(r.threshold * 100) : 50,
    channelIds: [...r.channel_ids],
    enabled: r.enabled,
    repeatSeconds: r.repeat_interval == null ? 0 : intervalSeconds(r.repeat_interval),
  };
}

/** The columns to write for a draft (also the rule backtest_rule_draft replays). */
export function rowFromDraft(d: RuleDraft, teamId: string): TablesInsert<'alert_rules'> {
  const anomaly = d.kind === 'anomaly';
  const match = Object.fromEntries(
    Object.entries(d.match)
      .map(([k, v]) => [k, v.trim()] as const)
      .filter(([, v]) => v !== ''),
  );
  const window = `${Math.min(60, Math.max(1, Math.round(d.windowMinutes)))} minutes`;
  return {
    team_id: teamId,
    name: d.name.trim(),
    kind: d.kind,
    source: anomaly ? 'host' : d.source,
    metric: d.metric,
    operator: anomaly ? '>' : d.operator,
    threshold: anomaly ? d.anomalousPct / 100 : d.threshold,
    recovery_threshold: anomaly || d.recovery.trim() === '' ? null : Number(d.recovery),
    for_duration: `${Math.max(0, Math.round(d.forSeconds))} seconds`,
    severity: d.severity,
    scope: d.scope,
    scope_host_id: d.scope === 'host' ? d.hostId || null : null,
    scope_label_key: d.scope === 'label' ? d.labelKey.trim() || null : null,
    scope_label_value: d.scope === 'label' ? d.labelValue.trim() || null : null,
    series_match: anomaly || d.source === 'host' ? {} : match,
    sensitivity: d.sensitivity,
    anomaly_window: window,
    recovery_window: window,
    channel_ids: d.channelIds,
    enabled: d.enabled,
    repeat_interval: d.repeatSeconds > 0 ? `${Math.round(d.repeatSeconds)} seconds` : null,
  };
}

const sensitivityText = (s: string | null) =>
  s === 'low'
    ? m.sensitivity_low()
    : s === 'high'
      ? m.sensitivity_high()
      : s === 'medium'
        ? m.rule_sensitivity_medium()
        : (s ?? '');

/** The condition as the rules table shows it. */
export function conditionText(r: RuleRow, value: (metric: string, v: number) => string): string {
  if (r.kind === 'anomaly') {
    return m.rule_condition_anomaly({
      metric: metricLabel('host', r.metric),
      sensitivity: sensitivityText(r.sensitivity),
      share: Math.round(r.threshold * 100),
      minutes: Math.round(intervalSeconds(r.anomaly_window) / 60),
    });
  }
  const match = Object.entries((r.series_match ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const src = r.source === 'host' ? '' : `${sourceOf(r.source).label}: `;
  return `${src}${metricLabel(r.source, r.metric)} ${r.operator} ${value(r.metric, r.threshold)}${match ? ` (${match})` : ''}`;
}

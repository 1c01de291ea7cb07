/**
 * One dispatcher run: claim due outbox rows, group them per channel, send one message per group,
 * settle every row. Runtime-neutral: the outbox RPCs and the transport are passed in.
 */
import type { Database } from '../_shared/database.types.ts';
import { CHANNELS } from './channels/index.ts';
import type { FailureCode, Transport } from './channels/types.ts';
import { toLocale } from '../_shared/i18n/translate.ts';
import { idempotencyKey, toAlertItem, type ClaimedEvent, type NotificationMessage } from './message.ts';

/** One row of claim_notifications, its jsonb columns (config, event, host) given their shapes. */
export type ClaimedRow = Omit<
  Database['public']['Functions']['claim_notifications']['Returns'][number],
  'config' | 'event' | 'host'
> & {
  config: Record<string, unknown>;
  event: ClaimedEvent;
  host: { id: string; name: string } | null;
  /** The team's language (team_settings.locale), added by the outbox after claiming; English when absent. */
  team_locale?: string;
};

/**
 * Why a send failed, twice: `reason` is the class every team member reads in notifications.last_error
 * (unreachable, timeout, http_error <status>, blocked, channel_config, channel_disabled, failed);
 * `detail` is the full text (destination, receiver reply), kept for the team's admins only.
 */
export interface Failure {
  reason: string;
  detail: string;
}

/** The outbox RPCs (claim_notifications, settle_notifications); `failure` null means sent. */
export interface Outbox {
  claim(limit: number): Promise<ClaimedRow[]>;
  settle(ids: number[], failure: Failure | null, maxAttempts: number, permanent: boolean): Promise<void>;
}

/** The reason class of a channel's failure code (and HTTP status). */
export function failureReason(code: FailureCode, status?: number): string {
  if (code === 'http_error')
    return status !== undefined && status >= 100 && status <= 599 ? `http_error ${status}` : 'failed';
  if (code === 'destination_blocked') return 'blocked';
  return code;
}

/** Settings read once at start-up. */
export interface DispatchSettings {
  dashboardUrl: string;
  maxAttempts: number;
  /** Rows claimed per round. */
  batchSize: number;
  /** Alerts per message at most; a larger group is split. */
  maxAlertsPerMessage: number;
  /** Messages in flight at once. */
  concurrency: number;
}

/** What one run did. */
export interface DispatchReport {
  claimed: number;
  messages: number;
  sent: number;
  retried: number;
  failed: number;
  errors: string[];
}

/** Splits claimed rows into per-channel groups of at most `max` rows, oldest first. */
export function groupByChannel(rows: ClaimedRow[], max: number): ClaimedRow[][] {
  const byChannel = new Map<string, ClaimedRow[]>();
  for (const r of rows) {
    const list = byChannel.get(r.channel_id) ?? [];
    list.push(r);
    byChannel.set(r.channel_id, list);
  }
  const groups: ClaimedRow[][] = [];
  for (const list of byChannel.values()) {
    list.sort(
      (a, b) =>
        Date.parse(a.event.occurred_at) - Date.parse(b.event.occurred_at) || a.notification_id - b.notification_id,
    );
    for (let i = 0; i < list.length; i += max) groups.push(list.slice(i, i + max));
  }
  return groups;
}

/** The message for one group of rows of one channel. */
export async function messageFor(
  group: ClaimedRow[],
  dashboardUrl: string,
  now = new Date(),
): Promise<NotificationMessage> {
  const first = group[0]!;
  const locale = toLocale(first.team_locale);
  return {
    type: 'alert',
    channel: { id: first.channel_id, name: first.channel_name, kind: first.channel_kind },
    teamId: first.team_id,
    alerts: group.map((r) => toAlertItem(r.event, r.host, dashboardUrl, locale)),
    idempotencyKey: await idempotencyKey(group.map((r) => Number(r.notification_id))),
    dashboardUrl,
    createdAt: now.toISOString(),
    locale,
  };
}

async function sendGroup(
  group: ClaimedRow[],
  outbox: Outbox,
  transport: Transport,
  s: DispatchSettings,
  report: DispatchReport,
): Promise<void> {
  const first = group[0]!;
  const ids = group.map((r) => Number(r.notification_id));
  report.messages++;
  let failure: Failure | null = null;
  let permanent = false;
  const send = CHANNELS[first.channel_kind];
  if (!first.channel_enabled) {
    failure = { reason: 'channel_disabled', detail: `Channel "${first.channel_name}" is disabled; enable it to send` };
    permanent = true;
  } else if (!send) {
    failure = {
      reason: 'channel_config',
      detail: `Channel kind ${first.channel_kind} has no sender (known: ${Object.keys(CHANNELS).join(', ')})`,
    };
    permanent = true;
  } else {
    try {
      const result = await send(await messageFor(group, s.dashboardUrl), first.config, transport);
      if (!result.ok) {
        failure = { reason: failureReason(result.code, result.status), detail: result.error };
        permanent = result.permanent;
      }
    } catch (err) {
      failure = {
        reason: 'failed',
        detail: `Cannot send to channel "${first.channel_name}": ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  await outbox.settle(ids, failure, s.maxAttempts, permanent);
  if (failure === null) report.sent += ids.length;
  else {
    report.errors.push(failure.detail);
    const lastTry = permanent || group.every((r) => r.attempts + 1 >= s.maxAttempts);
    if (lastTry) report.failed += ids.length;
    else report.retried += ids.length;
  }
}

/** Claims and sends until the outbox has nothing due (or `maxRounds` batches were handled). */
export async function dispatch(
  outbox: Outbox,
  transport: Transport,
  s: DispatchSettings,
  maxRounds = 20,
): Promise<DispatchReport> {
  const report: DispatchReport = { claimed: 0, messages: 0, sent: 0, retried: 0, failed: 0, errors: [] };
  for (let round = 0; round < maxRounds; round++) {
    const rows = await outbox.claim(s.batchSize);
    report.claimed += rows.length;
    const queue = groupByChannel(rows, s.maxAlertsPerMessage);
    const workers = Array.from({ length: Math.min(s.concurrency, queue.length) }, async () => {
      for (let g = queue.shift(); g; g = queue.shift()) await sendGroup(g, outbox, transport, s, report);
    });
    await Promise.all(workers);
    if (rows.length < s.batchSize) break;
  }
  return report;
}

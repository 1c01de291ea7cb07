/**
 * Words for the fixed values the database stores (host status, severity, alert state, role, …): the values stay
 * English in data and attributes (data-status, the seed API); people read them through these in their language.
 */
import { m } from '#lib/paraglide/messages.js';

type Words = Record<string, () => string>;
const word = (words: Words) => (value: string | null | undefined) => (value == null ? '' : (words[value]?.() ?? value));

/** healthy, warning, critical, offline. */
export const statusText = word({
  healthy: m.status_healthy,
  warning: m.status_warning,
  critical: m.status_critical,
  offline: m.status_offline,
});
/** warning, critical. */
export const severityText = word({ warning: m.severity_warning, critical: m.severity_critical });
/** An active alert's state: pending, firing. */
export const alertStateText = word({ pending: m.alert_state_pending, firing: m.alert_state_firing });
/** An alert event's kind: firing, resolved, reminder, acknowledged (also the rule preview's transitions). */
export const eventKindText = word({
  firing: m.event_firing,
  resolved: m.event_resolved,
  pending: m.alert_state_pending,
  reminder: m.event_reminder,
  acknowledged: m.event_acknowledged,
});
/** owner, admin, viewer. */
export const roleText = word({ owner: m.role_owner, admin: m.role_admin, viewer: m.role_viewer });
/** An HTTP check's state. */
export const checkStatusText = word({ up: m.check_up, down: m.check_down, degraded: m.check_degraded });
/** A channel's kind. */
export const channelKindText = word({
  webhook: m.channel_kind_webhook,
  slack: m.channel_kind_slack,
  discord: m.channel_kind_discord,
  email: m.channel_kind_email,
});
/** An invitation's mail state. */
export const mailStatusText = word({ queued: m.mail_queued, sent: m.mail_sent, failed: m.mail_failed });

/**
 * The channel form's model: which settings each kind has (secrets marked), and the check that turns what the
 * admin typed into the config stored by set_channel_config, with one clear error per wrong field. Pure. The
 * dispatcher checks the same rules again when it sends (supabase/functions/dispatch-notifications/channels/).
 */

import { m } from '#lib/paraglide/messages.js';

export const CHANNEL_KINDS = [
  'email',
  'slack',
  'discord',
  'webhook',
  'teams',
  'telegram',
  'pagerduty',
  'ntfy',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Each kind's name in the page's language (getters: read when shown, in the language of that moment). */
export const KIND_LABELS: Record<ChannelKind, string> = {
  get email() {
    return m.channel_kind_email();
  },
  slack: 'Slack',
  discord: 'Discord',
  get webhook() {
    return m.channel_kind_webhook();
  },
  teams: 'Microsoft Teams',
  telegram: 'Telegram',
  pagerduty: 'PagerDuty',
  ntfy: 'ntfy',
};

/** The channel being edited: its settings without secrets (channel_settings), and the names of the secrets set. */
export interface EditedChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  secretsSet: string[];
}

/** One setting in the form. */
export interface ChannelField {
  key: string;
  label: string;
  /** Never read back: the form shows only whether it is set. */
  secret?: boolean;
  required?: boolean;
  options?: readonly (readonly [string, string])[];
  placeholder?: string;
  hint?: string;
  /** Shown only when this holds for the current values (e.g. Mailgun's domain). */
  when?: (values: Record<string, string>) => boolean;
}

const REGIONS = [
  ['us', 'US'],
  ['eu', 'EU'],
] as const;
const hasEu = (v: Record<string, string>) => v.provider === 'sendgrid' || v.provider === 'mailgun';

/** The settings of each kind, in form order. */
export const CHANNEL_FIELDS: Record<ChannelKind, ChannelField[]> = {
  email: [
    {
      key: 'provider',
      get label() {
        return m.chf_email_provider();
      },
      required: true,
      options: [
        ['resend', 'Resend'],
        ['postmark', 'Postmark'],
        ['sendgrid', 'SendGrid'],
        ['mailgun', 'Mailgun'],
      ],
      get hint() {
        return m.chf_sent_through_the_provider_s_http_api_hos();
      },
    },
    {
      key: 'region',
      get label() {
        return m.chf_region();
      },
      options: REGIONS,
      when: hasEu,
    },
    {
      key: 'domain',
      get label() {
        return m.chf_mailgun_sending_domain_empty_the_from_ad();
      },
      placeholder: 'mg.example.com',
      when: (v) => v.provider === 'mailgun',
    },
    {
      key: 'from',
      get label() {
        return m.chf_from_address();
      },
      required: true,
      placeholder: 'Vibe <alerts@example.com>',
    },
    {
      key: 'to',
      get label() {
        return m.chf_recipients_comma_separated();
      },
      required: true,
      placeholder: 'ops@example.com',
    },
    {
      key: 'api_key',
      get label() {
        return m.chf_api_key();
      },
      secret: true,
      required: true,
    },
  ],
  slack: [
    {
      key: 'url',
      get label() {
        return m.chf_slack_webhook_url();
      },
      secret: true,
      required: true,
      placeholder: 'https://hooks.slack.com/services/…',
    },
  ],
  discord: [
    {
      key: 'url',
      get label() {
        return m.chf_discord_webhook_url();
      },
      secret: true,
      required: true,
      placeholder: 'https://discord.com/api/webhooks/…',
    },
  ],
  webhook: [
    {
      key: 'url',
      get label() {
        return m.chf_webhook_url();
      },
      secret: true,
      required: true,
      placeholder: 'https://…',
    },
    {
      key: 'secret',
      get label() {
        return m.chf_signing_secret_optional();
      },
      secret: true,
      get hint() {
        return m.chf_signs_each_delivery_x_vibe_signature();
      },
    },
  ],
  teams: [
    {
      key: 'url',
      get label() {
        return m.chf_teams_workflow_url();
      },
      secret: true,
      required: true,
      placeholder: 'https://…/workflows/…/triggers/manual/paths/invoke?…',
      get hint() {
        return m.chf_in_teams_workflows_post_to_a_channel_whe();
      },
    },
  ],
  telegram: [
    {
      key: 'bot_token',
      get label() {
        return m.chf_bot_token();
      },
      secret: true,
      required: true,
      placeholder: '123456789:AAE…',
      get hint() {
        return m.chf_from_botfather();
      },
    },
    {
      key: 'chat_id',
      get label() {
        return m.chf_chat_id();
      },
      required: true,
      placeholder: '-1001234567890 or @mychannel',
    },
  ],
  pagerduty: [
    {
      key: 'routing_key',
      get label() {
        return m.chf_integration_key_events_api_v2();
      },
      secret: true,
      required: true,
      get hint() {
        return m.chf_service_integrations_events_api_v2();
      },
    },
    {
      key: 'region',
      get label() {
        return m.chf_service_region();
      },
      options: REGIONS,
    },
  ],
  ntfy: [
    {
      key: 'server',
      get label() {
        return m.chf_server_url_empty_https_ntfy_sh();
      },
      placeholder: 'https://ntfy.sh',
    },
    {
      key: 'topic',
      get label() {
        return m.chf_topic();
      },
      required: true,
      placeholder: 'vibe-alerts-7f3k',
    },
    {
      key: 'token',
      get label() {
        return m.chf_access_token_optional();
      },
      secret: true,
      placeholder: 'tk_…',
    },
  ],
};

/** The fields shown for these values. */
export function visibleFields(kind: ChannelKind, values: Record<string, string>): ChannelField[] {
  return CHANNEL_FIELDS[kind].filter((f) => !f.when || f.when(values));
}

/** Default values for a new channel of a kind. */
export function initialValues(kind: ChannelKind): Record<string, string> {
  return kind === 'email' ? { provider: 'resend', region: 'us' } : kind === 'pagerduty' ? { region: 'us' } : {};
}

const ADDRESS = /^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/;
const checks: Record<string, (v: string, values: Record<string, string>) => string | null> = {
  url: (v) => urlError(v),
  server: (v) => urlError(v),
  from: (v) => {
    const parts = /^\s*(?:"?[^"<>]*"?\s*<([^<>]+)>|([^<>]+))\s*$/.exec(v);
    return parts && ADDRESS.test((parts[1] ?? parts[2] ?? '').trim()) ? null : m.chf_err_from();
  },
  to: (v) => {
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.find((a) => !ADDRESS.test(a));
    if (bad) return m.chf_err_not_address({ address: bad });
    return list.length > 50 ? m.chf_err_too_many({ count: 50 }) : null;
  },
  domain: (v) => (/^[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z0-9-]{1,63}$/i.test(v) ? null : m.chf_err_domain()),
  api_key: (v) => (/^[\x21-\x7e]+$/.test(v) ? null : m.chf_err_api_key()),
  bot_token: (v) => (/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/.test(v) ? null : m.chf_err_bot_token()),
  chat_id: (v) => (/^-?\d{1,20}$/.test(v) || /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v) ? null : m.chf_err_chat_id()),
  routing_key: (v) => (/^[A-Za-z0-9_-]{20,64}$/.test(v) ? null : m.chf_err_routing_key()),
  topic: (v) => (/^[-_A-Za-z0-9]{1,64}$/.test(v) ? null : m.chf_err_topic()),
  token: (v) => (/^[\x21-\x7e]{1,200}$/.test(v) ? null : m.chf_err_token()),
};

function urlError(v: string): string | null {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : m.chf_err_https();
  } catch {
    return m.chf_err_url();
  }
}

/** What set_channel_config gets, or the errors per field. */
export type Checked = { ok: true; config: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * Checks the form. `secretsSet` names the secrets already stored (editing): an empty secret field keeps
 * it. Optional settings left empty are removed (null), secrets left empty are kept (absent).
 */
export function checkChannel(kind: ChannelKind, values: Record<string, string>, secretsSet: string[] = []): Checked {
  const errors: Record<string, string> = {};
  const config: Record<string, unknown> = {};
  const shown = visibleFields(kind, values);
  for (const f of shown) {
    const v = (values[f.key] ?? '').trim();
    if (v === '') {
      if (f.required && !(f.secret && secretsSet.includes(f.key)))
        errors[f.key] = m.chf_err_required({ field: f.label });
      else if (!f.secret) config[f.key] = null;
      continue;
    }
    const err = f.options ? (f.options.some(([o]) => o === v) ? null : m.chf_err_option()) : checks[f.key]?.(v, values);
    if (err) errors[f.key] = err;
    else
      config[f.key] =
        f.key === 'to'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v;
  }
  // Settings of this kind that are hidden now (e.g. Mailgun's domain after switching provider) are removed.
  for (const f of CHANNEL_FIELDS[kind]) if (!shown.includes(f) && !f.secret) config[f.key] = null;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, config };
}

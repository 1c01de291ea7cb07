/**
 * The channel form's model: which settings each kind has (secrets marked), and the check that turns what the
 * admin typed into the config stored by set_channel_config, with one clear error per wrong field. Pure. The
 * dispatcher checks the same rules again when it sends (supabase/functions/dispatch-notifications/channels/).
 */

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

export const KIND_LABELS: Record<ChannelKind, string> = {
  email: 'Email',
  slack: 'Slack',
  discord: 'Discord',
  webhook: 'Webhook',
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
      label: 'Email provider',
      required: true,
      options: [
        ['resend', 'Resend'],
        ['postmark', 'Postmark'],
        ['sendgrid', 'SendGrid'],
        ['mailgun', 'Mailgun'],
      ],
      hint: 'Sent through the provider’s HTTP API (hosted Edge Functions cannot open SMTP ports)',
    },
    { key: 'region', label: 'Region', options: REGIONS, when: hasEu },
    {
      key: 'domain',
      label: 'Mailgun sending domain (empty: the From address’s domain)',
      placeholder: 'mg.example.com',
      when: (v) => v.provider === 'mailgun',
    },
    { key: 'from', label: 'From address', required: true, placeholder: 'Vibe <alerts@example.com>' },
    { key: 'to', label: 'Recipients (comma-separated)', required: true, placeholder: 'ops@example.com' },
    { key: 'api_key', label: 'API key', secret: true, required: true },
  ],
  slack: [
    {
      key: 'url',
      label: 'Slack webhook URL',
      secret: true,
      required: true,
      placeholder: 'https://hooks.slack.com/services/…',
    },
  ],
  discord: [
    {
      key: 'url',
      label: 'Discord webhook URL',
      secret: true,
      required: true,
      placeholder: 'https://discord.com/api/webhooks/…',
    },
  ],
  webhook: [
    { key: 'url', label: 'Webhook URL', secret: true, required: true, placeholder: 'https://…' },
    { key: 'secret', label: 'Signing secret (optional)', secret: true, hint: 'Signs each delivery: X-Vibe-Signature' },
  ],
  teams: [
    {
      key: 'url',
      label: 'Teams workflow URL',
      secret: true,
      required: true,
      placeholder: 'https://…/workflows/…/triggers/manual/paths/invoke?…',
      hint: 'In Teams: Workflows → “Post to a channel when a webhook request is received”, then copy its URL',
    },
  ],
  telegram: [
    {
      key: 'bot_token',
      label: 'Bot token',
      secret: true,
      required: true,
      placeholder: '123456789:AAE…',
      hint: 'From @BotFather',
    },
    { key: 'chat_id', label: 'Chat ID', required: true, placeholder: '-1001234567890 or @mychannel' },
  ],
  pagerduty: [
    {
      key: 'routing_key',
      label: 'Integration key (Events API v2)',
      secret: true,
      required: true,
      hint: 'Service → Integrations → Events API v2',
    },
    { key: 'region', label: 'Service region', options: REGIONS },
  ],
  ntfy: [
    { key: 'server', label: 'Server URL (empty: https://ntfy.sh)', placeholder: 'https://ntfy.sh' },
    { key: 'topic', label: 'Topic', required: true, placeholder: 'vibe-alerts-7f3k' },
    { key: 'token', label: 'Access token (optional)', secret: true, placeholder: 'tk_…' },
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
    const m = /^\s*(?:"?[^"<>]*"?\s*<([^<>]+)>|([^<>]+))\s*$/.exec(v);
    return m && ADDRESS.test((m[1] ?? m[2] ?? '').trim()) ? null : 'Enter an address, or Name <address>';
  },
  to: (v) => {
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.find((a) => !ADDRESS.test(a));
    if (bad) return `“${bad}” is not an email address`;
    return list.length > 50 ? 'At most 50 recipients' : null;
  },
  domain: (v) =>
    /^[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z0-9-]{1,63}$/i.test(v) ? null : 'Enter a domain such as mg.example.com',
  api_key: (v) => (/^[\x21-\x7e]+$/.test(v) ? null : 'An API key has no spaces: paste it again'),
  bot_token: (v) =>
    /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/.test(v) ? null : 'A bot token looks like 123456789:AAE…, from @BotFather',
  chat_id: (v) =>
    /^-?\d{1,20}$/.test(v) || /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v)
      ? null
      : 'Enter a chat ID (e.g. -1001234567890) or a channel username (@mychannel)',
  routing_key: (v) => (/^[A-Za-z0-9_-]{20,64}$/.test(v) ? null : 'An integration key is 32 letters and digits'),
  topic: (v) => (/^[-_A-Za-z0-9]{1,64}$/.test(v) ? null : 'A topic holds only letters, digits, - and _ (up to 64)'),
  token: (v) => (/^[\x21-\x7e]{1,200}$/.test(v) ? null : 'An access token has no spaces'),
};

function urlError(v: string): string | null {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'Enter an https:// URL';
  } catch {
    return 'Enter a full URL starting with https://';
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
      if (f.required && !(f.secret && secretsSet.includes(f.key))) errors[f.key] = `${f.label} is required`;
      else if (!f.secret) config[f.key] = null;
      continue;
    }
    const err = f.options
      ? f.options.some(([o]) => o === v)
        ? null
        : `Choose one of the listed options`
      : checks[f.key]?.(v, values);
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

/** Channel kinds to their `send` (channels.kind): email, slack, discord, webhook, teams, telegram, pagerduty, ntfy. */
import { send as discord } from './discord.ts';
import { send as email } from './email.ts';
import { send as ntfy } from './ntfy.ts';
import { send as pagerduty } from './pagerduty.ts';
import { send as slack } from './slack.ts';
import { send as teams } from './teams.ts';
import { send as telegram } from './telegram.ts';
import type { Send } from './types.ts';
import { send as webhook } from './webhook.ts';

/** Every channel kind the schema allows. */
export const CHANNELS: Readonly<Record<string, Send>> = Object.freeze({
  email,
  slack,
  discord,
  webhook,
  teams,
  telegram,
  pagerduty,
  ntfy,
});

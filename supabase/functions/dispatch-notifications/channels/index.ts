/** Channel kinds to their `send`: email, slack, discord, webhook (channels.kind). */
import { send as discord } from './discord.ts';
import { send as email } from './email.ts';
import { send as slack } from './slack.ts';
import type { Send } from './types.ts';
import { send as webhook } from './webhook.ts';

/** Every channel kind the schema allows. */
export const CHANNELS: Readonly<Record<string, Send>> = Object.freeze({ email, slack, discord, webhook });

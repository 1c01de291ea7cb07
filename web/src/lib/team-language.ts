/**
 * A new team in its creator's language: the team's notification language (team_settings.locale) and the names of the
 * default rules the database adds to every new team (add_default_rules, written in English) are set to the language
 * the creator uses the dashboard in. Renames only rules that still carry their default English name.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { m } from '#lib/paraglide/messages.js';
import type { Locale } from '#lib/paraglide/runtime.js';

/** The default rules' English names (supabase/migrations/…_add_series_table_rules.sql) and their messages. */
const DEFAULT_RULES: [string, (inputs: object, options: { locale: Locale }) => string][] = [
  ['CPU above 90 %', m.default_rule_cpu],
  ['Memory above 90 %', m.default_rule_memory],
  ['Disk above 90 %', m.default_rule_disk],
  ['Mount above 90 %', m.default_rule_mount_90],
  ['Mount above 95 %', m.default_rule_mount_95],
  ['Host down', m.default_rule_host_down],
  ['Check down', m.default_rule_check_down],
  ['TLS certificate expires in < 14 days', m.default_rule_tls],
  ['Database connections above 80 %', m.default_rule_db_connections],
];

/** Sets a new team's language and renames its default rules; English teams are left as they are. Errors are returned. */
export async function adoptLanguage(
  client: SupabaseClient<Database>,
  teamId: string,
  locale: Locale,
): Promise<string | null> {
  if (locale === 'en') return null;
  const settings = await client.from('team_settings').update({ locale }).eq('team_id', teamId);
  if (settings.error) return settings.error.message;
  for (const [english, message] of DEFAULT_RULES) {
    const { error } = await client
      .from('alert_rules')
      .update({ name: message({}, { locale }) })
      .eq('team_id', teamId)
      .eq('name', english);
    if (error) return error.message;
  }
  return null;
}

/** The alerts page's data: active alert states, event history and silences, refreshed by live events. */
import { m } from '#lib/paraglide/messages.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database, Tables } from '$shared/database.types.ts';
import type { AlertEventRow } from '#lib/host-model.ts';

/** A pending or firing rule on a host: the columns and embeds load() selects. */
export type ActiveAlert = Pick<Tables<'alert_states'>, 'rule_id' | 'host_id' | 'status' | 'value' | 'since'> & {
  alert_rules: Pick<Tables<'alert_rules'>, 'name' | 'metric' | 'severity' | 'threshold' | 'operator'> | null;
  hosts: Pick<Tables<'hosts'>, 'name' | 'slug'> | null;
};

/** A silence row. */
export type Silence = Tables<'silences'>;

/** Loads and holds the alerts of one team. */
export class AlertsData {
  active = $state.raw<ActiveAlert[]>([]);
  history = $state.raw<AlertEventRow[]>([]);
  silences = $state.raw<Silence[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);
  private readonly supabase: SupabaseClient<Database>;
  private readonly teamId: string;

  constructor(supabase: SupabaseClient<Database>, teamId: string) {
    this.supabase = supabase;
    this.teamId = teamId;
  }

  /** Loads all three lists. */
  async load(): Promise<void> {
    const sb = this.supabase;
    const [active, history, silences] = await Promise.all([
      sb
        .from('alert_states')
        .select(
          'rule_id, host_id, status, value, since, alert_rules(name, metric, severity, threshold, operator), hosts(name, slug)',
        )
        .eq('team_id', this.teamId)
        .in('status', ['pending', 'firing'])
        .order('since', { ascending: false }),
      sb.from('alert_events').select('*').eq('team_id', this.teamId).order('id', { ascending: false }).limit(100),
      sb
        .from('silences')
        .select('*')
        .eq('team_id', this.teamId)
        .gt('ends_at', new Date().toISOString())
        .order('ends_at'),
    ]);
    const err = active.error ?? history.error ?? silences.error;
    this.error = err ? m.alerts_load_failed({ reason: err.message }) : null;
    this.active = active.data ?? [];
    this.history = history.data ?? [];
    this.silences = silences.data ?? [];
    this.loaded = true;
  }

  /** Mutes notifications for one rule on one host for `hours`. */
  async silence(a: { host_id: string; rule_id: string }, hours: number, comment: string): Promise<string | null> {
    const { error } = await this.supabase.from('silences').insert({
      team_id: this.teamId,
      host_id: a.host_id,
      rule_id: a.rule_id,
      ends_at: new Date(Date.now() + hours * 3_600_000).toISOString(),
      comment: comment || null,
    });
    if (error) return m.silence_add_failed({ reason: error.message });
    await this.load();
    return null;
  }

  /** Ends a silence now. */
  async unsilence(id: string): Promise<string | null> {
    const { error } = await this.supabase.from('silences').delete().eq('id', id);
    if (error) return m.silence_end_failed({ reason: error.message });
    await this.load();
    return null;
  }
}

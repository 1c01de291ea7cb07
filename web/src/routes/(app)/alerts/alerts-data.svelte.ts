/** The alerts page's data: active alert states, event history and silences, refreshed by live events. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { AlertEventRow } from '#lib/host-model.ts';

/** A pending or firing rule on a host. */
export interface ActiveAlert {
  rule_id: string;
  host_id: string;
  status: 'pending' | 'firing';
  value: number | null;
  since: string;
  alert_rules: { name: string; metric: string; severity: string; threshold: number; operator: string } | null;
  hosts: { name: string; slug: string } | null;
}

/** A silence row. */
export interface Silence {
  id: string;
  host_id: string | null;
  rule_id: string | null;
  label_key: string | null;
  label_value: string | null;
  starts_at: string;
  ends_at: string;
  comment: string | null;
}

/** Loads and holds the alerts of one team. */
export class AlertsData {
  active = $state.raw<ActiveAlert[]>([]);
  history = $state.raw<AlertEventRow[]>([]);
  silences = $state.raw<Silence[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);
  private readonly supabase: SupabaseClient;
  private readonly teamId: string;

  constructor(supabase: SupabaseClient, teamId: string) {
    this.supabase = supabase;
    this.teamId = teamId;
  }

  /** Loads all three lists. */
  async load(): Promise<void> {
    const sb = this.supabase;
    const [active, history, silences] = await Promise.all([
      sb.from('alert_states').select('rule_id, host_id, status, value, since, alert_rules(name, metric, severity, threshold, operator), hosts(name, slug)')
        .eq('team_id', this.teamId).in('status', ['pending', 'firing']).order('since', { ascending: false }),
      sb.from('alert_events').select('*').eq('team_id', this.teamId).order('id', { ascending: false }).limit(100),
      sb.from('silences').select('*').eq('team_id', this.teamId).gt('ends_at', new Date().toISOString()).order('ends_at'),
    ]);
    const err = active.error ?? history.error ?? silences.error;
    this.error = err ? `Cannot load alerts: ${err.message}` : null;
    this.active = (active.data ?? []) as unknown as ActiveAlert[];
    this.history = (history.data ?? []) as AlertEventRow[];
    this.silences = (silences.data ?? []) as Silence[];
    this.loaded = true;
  }

  /** Mutes notifications for one rule on one host for `hours`. */
  async silence(a: { host_id: string; rule_id: string }, hours: number, comment: string): Promise<string | null> {
    const { error } = await this.supabase.from('silences').insert({
      team_id: this.teamId, host_id: a.host_id, rule_id: a.rule_id,
      ends_at: new Date(Date.now() + hours * 3_600_000).toISOString(), comment: comment || null,
    });
    if (error) return `Cannot add the silence: ${error.message}`;
    await this.load();
    return null;
  }

  /** Ends a silence now. */
  async unsilence(id: string): Promise<string | null> {
    const { error } = await this.supabase.from('silences').delete().eq('id', id);
    if (error) return `Cannot end the silence: ${error.message}`;
    await this.load();
    return null;
  }
}

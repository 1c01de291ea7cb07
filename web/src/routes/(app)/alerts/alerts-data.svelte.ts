/** The alerts page's data: active alert states, event history, silences and maintenance windows, refreshed by live events. */
import { m } from '#lib/paraglide/messages.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database, Tables } from '$shared/database.types.ts';
import type { AlertEventRow } from '#lib/host-model.ts';
import { rowFromWindowDraft, type MaintenanceWindow, type NextOccurrence, type WindowDraft } from './window-model.ts';

/** A pending or firing rule on a host: the columns and embeds load() selects. */
export type ActiveAlert = Pick<
  Tables<'alert_states'>,
  'rule_id' | 'host_id' | 'series' | 'status' | 'value' | 'since' | 'acknowledged_at' | 'acknowledged_by' | 'ack_note'
> & {
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
  windows = $state.raw<MaintenanceWindow[]>([]);
  /** Next (or current) occurrence per window id. */
  next = $state.raw<Map<string, NextOccurrence>>(new Map());
  /** Member emails by user id, to say who acknowledged. */
  emails = $state.raw<Map<string, string>>(new Map());
  error = $state<string | null>(null);
  loaded = $state(false);
  private readonly supabase: SupabaseClient<Database>;
  private readonly teamId: string;

  constructor(supabase: SupabaseClient<Database>, teamId: string) {
    this.supabase = supabase;
    this.teamId = teamId;
  }

  /** Loads every list. */
  async load(): Promise<void> {
    const sb = this.supabase;
    const [active, history, silences, windows, next, members] = await Promise.all([
      sb
        .from('alert_states')
        .select(
          'rule_id, host_id, series, status, value, since, acknowledged_at, acknowledged_by, ack_note, alert_rules(name, metric, severity, threshold, operator), hosts(name, slug)',
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
      sb.from('maintenance_windows').select('*').eq('team_id', this.teamId).order('name'),
      sb.rpc('next_maintenance_windows', { p_team_id: this.teamId }),
      sb.rpc('team_member_emails', { p_team_id: this.teamId }),
    ]);
    const err = active.error ?? history.error ?? silences.error ?? windows.error ?? next.error ?? members.error;
    this.error = err ? m.alerts_load_failed({ reason: err.message }) : null;
    this.active = active.data ?? [];
    this.history = history.data ?? [];
    this.silences = silences.data ?? [];
    this.windows = windows.data ?? [];
    this.next = new Map((next.data ?? []).map((o) => [o.window_id, o]));
    this.emails = new Map((members.data ?? []).map((m) => [m.user_id, m.email]));
    this.loaded = true;
  }

  /** Acknowledges a firing alert (owners and admins): stops its reminders until it resolves or fires anew. */
  async acknowledge(a: { host_id: string; rule_id: string; series: string }, note: string): Promise<string | null> {
    const { error } = await this.supabase.rpc('acknowledge_alert', {
      p_rule_id: a.rule_id,
      p_host_id: a.host_id,
      p_series: a.series,
      p_note: note.trim() || undefined,
    });
    if (error) return error.message;
    await this.load();
    return null;
  }

  /** Creates a maintenance window, or saves an existing one (`id`). */
  async saveWindow(draft: WindowDraft, id: string | null): Promise<string | null> {
    let row: ReturnType<typeof rowFromWindowDraft>;
    try {
      row = rowFromWindowDraft(draft, this.teamId);
    } catch (err) {
      return m.window_save_failed({ reason: (err as Error).message });
    }
    const { error } = id
      ? await this.supabase.from('maintenance_windows').update(row).eq('id', id)
      : await this.supabase.from('maintenance_windows').insert(row);
    if (error)
      return m.window_save_failed({ reason: error.message.replace(/^Cannot save the maintenance window: /, '') });
    await this.load();
    return null;
  }

  /** Deletes a maintenance window. */
  async deleteWindow(id: string): Promise<string | null> {
    const { error } = await this.supabase.from('maintenance_windows').delete().eq('id', id);
    if (error) return m.window_delete_failed({ reason: error.message });
    await this.load();
    return null;
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

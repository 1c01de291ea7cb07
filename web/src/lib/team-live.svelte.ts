/** Everything live about one team: hosts, firing alerts, recent alert events and the connection state. */
import { m } from '#lib/paraglide/messages.js';
import { getContext, setContext } from 'svelte';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import {
  metricsFromApi,
  metricsFromLatest,
  metricsFromStatus,
  type AlertEventRow,
  type ApiServer,
  type IngestPayload,
} from './host-model.ts';
import { Clock, LiveHost } from './live-host.svelte.ts';
import { subscribeTeam, type ChannelState } from './realtime.ts';
import { Poller } from './realtime-fallback.ts';

/** How the dashboard is receiving updates. */
export type Connection = 'connecting' | 'live' | 'polling';

const KEY = Symbol('team-live');
const MAX_EVENTS = 200;

/** Live state of a team, shared by every page through context. */
export class TeamLive {
  readonly teamId: string;
  readonly clock = new Clock();
  private readonly supabase: SupabaseClient<Database>;
  private readonly byId = new Map<string, LiveHost>();
  private readonly listeners = new Set<(p: IngestPayload) => void>();
  private readonly poller = new Poller(() => this.poll());
  private stopChannel: (() => void) | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private everLive = false;
  private offlineAfterIntervals = 3;

  hosts = $state.raw<LiveHost[]>([]);
  /** Alert events seen since the page loaded, newest first. */
  events = $state.raw<AlertEventRow[]>([]);
  connection = $state<Connection>('connecting');
  loaded = $state(false);
  error = $state<string | null>(null);

  constructor(supabase: SupabaseClient<Database>, teamId: string) {
    this.supabase = supabase;
    this.teamId = teamId;
  }

  /** The host with this id or slug. */
  get(idOrSlug: string): LiveHost | undefined {
    return this.byId.get(idOrSlug) ?? this.hosts.find((h) => h.slug === idOrSlug);
  }

  /** Loads the numbers (host_status, intervals, firing alerts); the overview renders from this alone. */
  async load(): Promise<void> {
    const sb = this.supabase;
    const [status, hosts, settings, firing] = await Promise.all([
      sb.from('host_status').select('*').eq('team_id', this.teamId).order('name'),
      sb.from('hosts').select('id, sample_interval_s').eq('team_id', this.teamId),
      sb.from('team_settings').select('offline_after_intervals').eq('team_id', this.teamId).maybeSingle(),
      sb
        .from('alert_states')
        .select('rule_id, host_id, alert_rules(severity)')
        .eq('team_id', this.teamId)
        .eq('status', 'firing'),
    ]);
    const err = status.error ?? hosts.error ?? firing.error;
    if (err) {
      this.error = m.hosts_load_failed({ reason: err.message });
      return;
    }
    this.error = null;
    this.offlineAfterIntervals = settings.data?.offline_after_intervals ?? 3;
    const intervals = new Map((hosts.data ?? []).map((h) => [h.id, h.sample_interval_s]));
    const firingByHost = new Map<string, Map<string, string>>();
    for (const f of firing.data ?? []) {
      const m = firingByHost.get(f.host_id) ?? new Map<string, string>();
      m.set(f.rule_id, f.alert_rules?.severity ?? 'warning');
      firingByHost.set(f.host_id, m);
    }
    const seen = new Set<string>();
    for (const row of status.data ?? []) {
      // Views' columns are all nullable in the generated types; host_id, name and slug come from hosts' not-null ones.
      if (!row.host_id || !row.name || !row.slug) continue;
      seen.add(row.host_id);
      const h = this.ensure(row.host_id);
      h.name = row.name;
      h.slug = row.slug;
      h.labels = (row.labels ?? {}) as Record<string, string>;
      h.offlineAfterS = (intervals.get(row.host_id) ?? 10) * this.offlineAfterIntervals;
      h.firing = firingByHost.get(row.host_id) ?? new Map();
      if (row.last_seen_at) h.applySnapshot(row.last_seen_at, metricsFromStatus(row));
      h.serverStatus = null;
    }
    for (const id of [...this.byId.keys()]) if (!seen.has(id)) this.byId.delete(id);
    this.publish();
    this.loaded = true;
  }

  /** Loads recent CPU for the sparklines, after the numbers are on screen. */
  async loadSparks(minutes = 10): Promise<void> {
    const since = new Date(Date.now() - minutes * 60_000).toISOString();
    const { data } = await this.supabase
      .from('host_samples')
      .select('host_id, ts, cpu_total')
      .in(
        'host_id',
        this.hosts.slice(0, 200).map((h) => h.id),
      )
      .gte('ts', since)
      .order('ts')
      .limit(20_000);
    const series = new Map<string, number[]>();
    for (const r of data ?? []) {
      if (r.cpu_total == null) continue;
      const s = series.get(r.host_id) ?? [];
      s.push(r.cpu_total);
      series.set(r.host_id, s);
    }
    for (const [id, values] of series) this.byId.get(id)?.seedSpark(values);
  }

  /** Subscribes to the team channel (polling the API while it is down) and starts the status clock. */
  async start(): Promise<void> {
    this.ticker = setInterval(() => (this.clock.now = Date.now()), 5_000);
    // A socket that never opens reports nothing: fall back to polling after a while.
    setTimeout(() => {
      if (this.connection === 'connecting') this.onChannelState('down');
    }, 10_000);
    this.stopChannel = await subscribeTeam(this.supabase, this.teamId, {
      onIngest: (p) => this.applyIngest(p),
      onState: (s) => this.onChannelState(s),
    });
  }

  /** Leaves the channel and stops polling and the clock. */
  stop(): void {
    this.stopChannel?.();
    this.poller.stop();
    clearInterval(this.ticker);
  }

  /** Calls `fn` with every ingest broadcast (host pages append chart points with it). */
  onIngest(fn: (p: IngestPayload) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Applies one broadcast: snapshots of hosts and alert events. */
  applyIngest(p: IngestPayload): void {
    let added = false;
    for (const row of p.hosts ?? []) {
      let h = this.byId.get(row.host_id);
      if (!h) {
        // A host added elsewhere: show it now, its name arrives with the next reload.
        h = this.ensure(row.host_id);
        h.name = row.host_id.slice(0, 8);
        h.offlineAfterS = 10 * this.offlineAfterIntervals;
        added = true;
        void this.load();
      }
      h.applySnapshot(row.ts, metricsFromLatest(row));
    }
    if (added) this.publish();
    const events = p.events ?? [];
    for (const e of events)
      if (e.host_id && e.rule_id) this.byId.get(e.host_id)?.applyAlert(e.rule_id, e.kind, e.severity);
    if (events.length) this.events = [...[...events].reverse(), ...this.events].slice(0, MAX_EVENTS);
    for (const fn of this.listeners) fn(p);
  }

  /** Applies the servers API answer (the polling fallback). */
  applyServers(servers: ApiServer[]): void {
    for (const s of servers) {
      const h = this.get(s.id);
      if (!h) continue;
      if (s.lastChecked) h.applySnapshot(s.lastChecked, metricsFromApi(s));
      h.serverStatus = s.status;
    }
  }

  /** Adds or renames a host right after the user created it. */
  addHost(id: string, name: string, slug: string, intervalS = 10): void {
    const h = this.ensure(id);
    h.name = name;
    h.slug = slug;
    h.offlineAfterS = intervalS * this.offlineAfterIntervals;
    this.publish();
  }

  /** Forgets a deleted host. */
  removeHost(id: string): void {
    this.byId.delete(id);
    this.publish();
  }

  private async poll(): Promise<void> {
    const res = await fetch('/api/monitoring/servers', { headers: { accept: 'application/json' } });
    if (!res.ok) return;
    const body = (await res.json()) as { servers: ApiServer[] };
    this.applyServers(body.servers);
  }

  private onChannelState(s: ChannelState): void {
    if (s === 'live') {
      this.poller.stop();
      this.connection = 'live';
      // Back after a drop: catch up on what the broadcasts carried meanwhile.
      if (this.everLive) void this.load();
      this.everLive = true;
    } else if (s === 'down') {
      this.connection = 'polling';
      this.poller.start();
    }
  }

  private ensure(id: string): LiveHost {
    let h = this.byId.get(id);
    if (!h) {
      h = new LiveHost(id, this.clock);
      this.byId.set(id, h);
    }
    return h;
  }

  private publish(): void {
    this.hosts = [...this.byId.values()];
  }
}

/** Makes a team's live state available to the pages below. */
export function setTeamLive(live: TeamLive): void {
  setContext(KEY, live);
}

/** The live state of the current team (set by the app layout). */
export function teamLive(): TeamLive {
  const live = getContext<TeamLive | undefined>(KEY);
  if (!live) throw new Error('teamLive() used outside the app layout: render the page under routes/(app)');
  return live;
}

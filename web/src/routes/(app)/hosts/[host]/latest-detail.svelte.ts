/** A host's newest top processes and containers: host_latest.detail at load, then live from the team broadcasts. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import type { IngestPayload, LatestContainer, TopProcess } from '#lib/host-model.ts';

/** Containers are re-read at most this often while samples arrive (they are not in any broadcast). */
const CONTAINER_REFRESH_MS = 10_000;

/** The live part of a host's detail. */
export class LatestDetail {
  processes = $state.raw<TopProcess[] | null>(null);
  processesTs = $state<string | null>(null);
  containers = $state.raw<LatestContainer[] | null>(null);
  private containersAt = 0;
  private readonly supabase: SupabaseClient<Database>;
  readonly hostId: string;

  constructor(supabase: SupabaseClient<Database>, hostId: string) {
    this.supabase = supabase;
    this.hostId = hostId;
  }

  /** Reads both from host_latest (JSON paths, so the rest of detail stays on the server). */
  async load(): Promise<void> {
    this.containersAt = Date.now();
    const { data } = await this.supabase
      .from('host_latest')
      .select('ts, top_processes:detail->top_processes, containers:detail->containers')
      .eq('host_id', this.hostId)
      .maybeSingle();
    if (!data) return;
    const row = data as unknown as {
      ts: string;
      top_processes: TopProcess[] | null;
      containers: LatestContainer[] | null;
    };
    if (!this.processesTs || Date.parse(row.ts) > Date.parse(this.processesTs)) {
      this.processes = row.top_processes;
      this.processesTs = row.ts;
    }
    this.containers = row.containers;
  }

  /** Applies a broadcast: processes straight from the `processes` event, containers re-read after a host sample. */
  apply(p: IngestPayload): void {
    for (const r of p.processes ?? []) {
      if (r.host_id !== this.hostId || (this.processesTs && Date.parse(r.ts) <= Date.parse(this.processesTs))) continue;
      this.processes = r.top_processes;
      this.processesTs = r.ts;
    }
    const sampled = (p.hosts ?? []).some((h) => h.host_id === this.hostId);
    if (sampled && Date.now() - this.containersAt >= CONTAINER_REFRESH_MS) void this.load();
  }
}

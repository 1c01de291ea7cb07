/** Overview filters and sort order, and the rows and status counts they produce. */
import type { HostStatus } from '#lib/host-model.ts';
import type { LiveHost } from '#lib/live-host.svelte.ts';

/** Columns the overview sorts by. */
export type SortKey = 'name' | 'status' | 'cpu' | 'mem' | 'disk' | 'net';

const STATUS_RANK: Record<HostStatus, number> = { critical: 0, warning: 1, offline: 2, healthy: 3 };

const value: Record<SortKey, (h: LiveHost) => number | string> = {
  name: (h) => h.name.toLowerCase(),
  status: (h) => STATUS_RANK[h.status],
  cpu: (h) => h.metrics.cpu ?? -1,
  mem: (h) => h.metrics.memPercent ?? -1,
  disk: (h) => h.metrics.diskPercent ?? -1,
  net: (h) => (h.metrics.netRx ?? 0) + (h.metrics.netTx ?? 0),
};

/** The overview's view state over a live host list. */
export class OverviewState {
  query = $state('');
  status = $state<HostStatus | 'all'>('all');
  sortKey = $state<SortKey>('name');
  sortDir = $state<'asc' | 'desc'>('asc');
  private readonly source: () => LiveHost[];

  constructor(source: () => LiveHost[]) {
    this.source = source;
  }

  counts = $derived.by(() => {
    const c: Record<HostStatus, number> = { healthy: 0, warning: 0, critical: 0, offline: 0 };
    for (const h of this.source()) c[h.status]++;
    return c;
  });

  rows = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    const get = value[this.sortKey];
    const dir = this.sortDir === 'asc' ? 1 : -1;
    return this.source()
      .filter((h) => (this.status === 'all' || h.status === this.status) && (!q || matches(h, q)))
      .sort((a, b) => {
        const x = get(a);
        const y = get(b);
        return (x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name)) * dir;
      });
  });

  /** Sorts by a column; a second click on it reverses the order. */
  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDir = key === 'name' ? 'asc' : 'desc';
    }
  }
}

function matches(h: LiveHost, q: string): boolean {
  if (h.name.toLowerCase().includes(q) || h.slug.includes(q)) return true;
  return Object.entries(h.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(q));
}

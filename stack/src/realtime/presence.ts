/** Presence state per topic, grouped the way Phoenix.Presence reports it: `{key: {metas: [{phx_ref, …}]}}`. */
import { randomBytes } from 'node:crypto';

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceState = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

interface Entry {
  key: string;
  meta: Meta;
}

/** Phoenix refs are short random strings; clients only compare them. */
function newRef(): string {
  return randomBytes(12).toString('base64url');
}

/** Who is present on one topic; each tracker (a joined channel) holds at most one entry. */
export class TopicPresence {
  private readonly entries = new Map<number, Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Tracks or updates a tracker's meta; returns the diff to broadcast, or null when nothing changed. */
  track(trackerId: number, key: string, payload: Record<string, unknown>): PresenceDiff {
    const prev = this.entries.get(trackerId);
    const meta: Meta = { ...payload, phx_ref: newRef() };
    if (prev && prev.key === key) meta.phx_ref_prev = prev.meta.phx_ref;
    this.entries.set(trackerId, { key, meta });
    const diff: PresenceDiff = { joins: { [key]: { metas: [meta] } }, leaves: {} };
    if (prev) diff.leaves[prev.key] = { metas: [prev.meta] };
    return diff;
  }

  /** Removes a tracker; returns the leave diff, or null if it was not tracked. */
  untrack(trackerId: number): PresenceDiff | null {
    const prev = this.entries.get(trackerId);
    if (!prev) return null;
    this.entries.delete(trackerId);
    return { joins: {}, leaves: { [prev.key]: { metas: [prev.meta] } } };
  }

  /** The full state, as sent in `presence_state`. */
  state(): PresenceState {
    const out: PresenceState = {};
    for (const { key, meta } of this.entries.values()) (out[key] ??= { metas: [] }).metas.push(meta);
    return out;
  }
}

/** Host labels typed as `key=value, key=value`. */
import { m } from '#lib/paraglide/messages.js';

/** Parses labels, or says which part is wrong. */
export function parseLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { error: m.labels_invalid({ label: part }) };
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { labels };
}

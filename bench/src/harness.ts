/** Shared pieces for benchmarks (the throw-away stack is testkit's freshStack): timing helpers, and the result rows `npm run bench` collects. */

/** One line of the benchmark table. */
export interface BenchResult {
  /** What was measured, e.g. "REST bulk insert / COPY (rows/s ratio)". */
  figure: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. "≥ 0.35"; empty when the issue sets none. */
  goal: string;
  /** Whether the goal was met; null when there is no goal. */
  met: boolean | null;
  /** Issue number the figure belongs to. */
  issue: number;
}

/** Percentile (0–100) of a list of numbers, by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Prints results for a human and as one machine-readable `RESULT <json>` line per row for bench/src/run.ts. */
export function report(results: BenchResult[]): void {
  for (const r of results) {
    const status = r.met === null ? '' : r.met ? ' (goal met)' : ' (goal NOT met)';
    process.stdout.write(
      `${r.figure}: ${Number.isInteger(r.value) ? r.value : r.value.toFixed(3)} ${r.unit}${r.goal ? `, goal ${r.goal}` : ''}${status}\n`,
    );
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  }
}

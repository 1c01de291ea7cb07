/** "Perhaps you meant" suggestions, as PostgREST's fuzzy hints (approximated by edit distance). */

/** The closest candidate by edit-distance similarity (1 − distance ÷ longer length), if at least `min`. */
export function fuzzyBest(word: string, candidates: string[], min: number): string | null {
  let best: string | null = null;
  let bestScore = -1;
  const a = word.toLowerCase();
  for (const c of new Set(candidates)) {
    const b = c.toLowerCase();
    const score = 1 - levenshtein(a, b) / Math.max(a.length, b.length, 1);
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return bestScore >= min ? best : null;
}

/** Edit distance between two strings. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Levenshtein distance, case-insensitive: misspellings of metadata names are mostly case or one-letter slips. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** Candidates ordered closest to `word` first (ties keep their original order). */
export function byCloseness(word: string, candidates: Iterable<string>): string[] {
  return [...candidates]
    .map((candidate, index) => ({ candidate, index, distance: editDistance(word, candidate) }))
    .sort((p, q) => p.distance - q.distance || p.index - q.index)
    .map((entry) => entry.candidate);
}

/** "a, b, c (+12 more)" with the closest candidates first. */
export function listClosestFirst(word: string, candidates: Iterable<string>, limit = 10): string {
  const ordered = byCloseness(word, candidates);
  const shown = ordered.slice(0, limit).join(', ');
  return ordered.length > limit ? `${shown} (+${ordered.length - limit} more)` : shown;
}

/**
 * "Did you mean" suggestions for misspelt keys, action names and parameter names.
 * Distance is optimal-string-alignment Damerau-Levenshtein (a swap of two neighbours costs 1),
 * compared case-insensitively so `Image` finds `image`.
 */

/** Edit distance where insert, delete, substitute and swapping adjacent characters each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** How many edits still count as "close": 1 for short words, about a third of the length for long ones. */
function tolerance(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo.
 * Ties go to the earlier candidate, so callers can order candidates by preference.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const needle = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= tolerance(word) ? best : undefined;
}

const MAX_LISTED = 8;

/**
 * A hint to append after "; ": `did you mean 'repo'?` when a candidate is close, else
 * `expected one of 'a', 'b'` (at most 8 names; of longer lists the closest), else '' when there are no candidates.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `did you mean '${near}'?`;
  if (candidates.length === 0) return '';
  // Short lists keep the caller's order (e.g. keys as documented); long ones show the nearest names.
  const needle = word.toLowerCase();
  const ranked =
    candidates.length <= MAX_LISTED
      ? candidates
      : [...candidates].sort((x, y) => editDistance(needle, x.toLowerCase()) - editDistance(needle, y.toLowerCase()));
  const listed = ranked.slice(0, MAX_LISTED).map((c) => `'${c}'`);
  const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : '';
  return `expected one of ${listed.join(', ')}${more}`;
}

/**
 * "Did you mean" suggestions for misspelt keys, action names and parameter names.
 * Distance is optimal-string-alignment Damerau-Levenshtein (a swap of two neighbours costs 1),
 * compared case-insensitively so `Image` finds `image`.
 */

/** Edit distance where insert, delete, substitute and swapping adjacent characters each cost 1. */
export function editDistance(a: string, b: string): number {
  // three rows of the table (the swap looks two rows back) instead of all of it
  let before = new Int32Array(b.length + 1);
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] as number;
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
  const limit = tolerance(word);
  for (const candidate of candidates) {
    // the distance is at least the difference in length: skip the table for words that differ that much
    if (Math.abs(candidate.length - needle.length) > limit) continue;
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= limit ? best : undefined;
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
      : rankByDistance(needle, candidates);
  const listed = ranked.slice(0, MAX_LISTED).map((c) => `'${c}'`);
  const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : '';
  return `expected one of ${listed.join(', ')}${more}`;
}

/** Candidates nearest first, each distance computed once (a sort comparator would compute each n log n times). */
function rankByDistance(needle: string, candidates: readonly string[]): string[] {
  // a name is never hundreds of characters long: the start of a longer word ranks as well, at bounded cost
  const start = needle.slice(0, 256);
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: editDistance(start, candidate.toLowerCase()) }))
    .sort((x, y) => x.distance - y.distance || x.index - y.index)
    .map((x) => x.candidate);
}

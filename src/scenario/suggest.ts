/**
 * A version written short or without its dots (3, 3.1, 311, v3 → 3.1.1): by edit
 * distance "3" is nearer "5" than "3.1.1".
 */
function versionOf(word: string, candidates: readonly string[]): string | undefined {
  const bare = /^v?(\d+(?:\.\d+)*)$/i.exec(word)?.[1];
  if (bare === undefined) return undefined;
  return candidates.find((c) => c !== bare && (c.startsWith(`${bare}.`) || (c.includes('.') && c.replaceAll('.', '') === bare)));
}

/** "did you mean" for typos: the closest candidate within a few edits, case ignored. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const version = versionOf(word, list);
  if (version !== undefined) return version;
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of list) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined || match === word ? '' : ` (did you mean "${match}"?)`;
}

/** Levenshtein distance where swapping two neighbours counts as one edit (sesion/sesison). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

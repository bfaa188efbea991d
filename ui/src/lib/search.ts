// Snippets of full-text search results: the backend marks matched words by offsets, never by
// markup; the window splits the text at them and renders each part as text.

/** A part of a snippet: marked (a matched word) or not. */
export interface SnippetPart {
  text: string;
  marked: boolean;
}

/**
 * Splits `snippet` at `marks` (`[start, end)` in UTF-16 code units, what JavaScript strings
 * index). Marks out of range, empty, or overlapping an earlier one are ignored; the parts joined
 * are always the snippet.
 */
export function splitMarks(snippet: string, marks: readonly (readonly [number, number])[]): SnippetPart[] {
  const sorted = marks
    .map(([a, b]) => [Math.max(0, Math.floor(a)), Math.min(snippet.length, Math.floor(b))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [a, b] of sorted) {
    if (a < at) continue;
    if (a > at) parts.push({ text: snippet.slice(at, a), marked: false });
    parts.push({ text: snippet.slice(a, b), marked: true });
    at = b;
  }
  if (at < snippet.length || parts.length === 0) parts.push({ text: snippet.slice(at), marked: false });
  return parts;
}

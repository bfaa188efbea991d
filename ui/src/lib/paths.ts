// Paths for narrow places: the folder name, and the whole path shortened in the middle (where
// CSS can only cut the end, which is the part that tells similar paths apart).

/** The last component of a path: `/home/dev/my proj/` → `my proj`; `/` stays `/`. */
export function baseName(path: string): string {
  // An index loop, not /[\\/]+$/: that regex is quadratic on a long run of separators
  // followed by anything else.
  let end = path.length;
  while (end > 0 && (path[end - 1] === '/' || path[end - 1] === '\\')) end -= 1;
  const trimmed = path.slice(0, end);
  if (trimmed === '') return path;
  const at = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return trimmed.slice(at + 1) || trimmed;
}

/**
 * `text` if it has at most `max` characters, else its head and tail around `…`, `max` characters
 * in all. For paths the cut falls on separators when that keeps enough of both ends:
 * `/tmp/ccdesk-e2e.wUdixU/work/demo project` (max 28) → `/tmp/…/work/demo project`.
 */
export function middleTruncate(text: string, max: number): string {
  const chars = Array.from(text); // code points: never split a surrogate pair
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const room = max - 1;
  const tailLen = Math.ceil(room * 0.6);
  const headLen = room - tailLen;
  const head = chars.slice(0, headLen).join('');
  const tail = chars.slice(chars.length - tailLen).join('');
  // Prefer whole components: cut the tail just after a separator, the head just after one.
  const tailSep = tail.search(/[\\/]/);
  const headSep = Math.max(head.lastIndexOf('/'), head.lastIndexOf('\\'));
  const niceTail = tailSep >= 0 && tailSep < tail.length * 0.5 ? tail.slice(tailSep) : tail;
  const niceHead = headSep > 0 && headSep >= head.length * 0.5 ? head.slice(0, headSep + 1) : head;
  // Whatever the separators saved goes back to the side that is cut mid-word, if any.
  if (niceHead !== head && niceTail === tail) {
    return `${niceHead}…${chars.slice(chars.length - (room - Array.from(niceHead).length)).join('')}`;
  }
  if (niceTail !== tail && niceHead === head) {
    return `${chars.slice(0, room - Array.from(niceTail).length).join('')}…${niceTail}`;
  }
  return `${niceHead}…${niceTail}`;
}

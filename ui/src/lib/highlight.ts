// Marks a search's terms in rendered text without touching the DOM: the CSS Custom Highlight API
// paints ranges over the text nodes as they are, so sanitized markup stays exactly as it was
// rendered (no `<mark>` injected into HTML). Where the API is missing nothing is marked.

/** The registry name; `::highlight(search-terms)` styles it. */
export const HIGHLIGHT_NAME = 'search-terms';
/** Most ranges marked at once (a common word on a long page stays cheap). */
export const MAX_RANGES = 500;

function isWordChar(c: string): boolean {
  return /[\p{L}\p{N}]/u.test(c);
}

/**
 * Where `words` (lowercase; each matches a word that starts with it, as the search's prefix
 * terms do) occur in `text`: `[start, end)` UTF-16 offsets, in order, at most `max`.
 */
export function termOffsets(text: string, words: string[], max = MAX_RANGES): [number, number][] {
  const wanted = words.map((w) => w.toLowerCase()).filter((w) => w.length > 0);
  if (wanted.length === 0 || text.length === 0) return [];
  const lower = text.toLowerCase();
  // `toLowerCase` can change a string's length (rare letters): offsets would drift, so such text
  // is not marked.
  if (lower.length !== text.length) return [];
  const out: [number, number][] = [];
  let i = 0;
  while (i < lower.length && out.length < max) {
    if (!isWordChar(lower[i]) || (i > 0 && isWordChar(lower[i - 1]))) {
      i++;
      continue;
    }
    let best = 0;
    for (const w of wanted) if (w.length > best && lower.startsWith(w, i)) best = w.length;
    if (best > 0) {
      out.push([i, i + best]);
      i += best;
    } else i++;
  }
  return out;
}

type Registry = { set(name: string, h: unknown): void; delete(name: string): void };
type HighlightCtor = new (...ranges: Range[]) => unknown;

/**
 * Marks `terms` in the text under `root` now and whenever its content changes (a virtual list
 * swaps items as it scrolls). Returns the function that stops and clears the marks.
 */
export function highlightTerms(root: HTMLElement, terms: string[]): () => void {
  const registry = (globalThis as { CSS?: { highlights?: Registry } }).CSS?.highlights;
  const Highlight = (globalThis as { Highlight?: HighlightCtor }).Highlight;
  if (!registry || !Highlight || terms.length === 0) return () => {};
  let frame = 0;
  const apply = () => {
    frame = 0;
    const ranges: Range[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && ranges.length < MAX_RANGES; n = walker.nextNode()) {
      for (const [s, e] of termOffsets(n.textContent ?? '', terms, MAX_RANGES - ranges.length)) {
        const r = document.createRange();
        r.setStart(n, s);
        r.setEnd(n, e);
        ranges.push(r);
      }
    }
    registry.set(HIGHLIGHT_NAME, new Highlight(...ranges));
  };
  apply();
  const observer = new MutationObserver(() => {
    if (frame === 0) frame = requestAnimationFrame(apply);
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  return () => {
    observer.disconnect();
    if (frame !== 0) cancelAnimationFrame(frame);
    registry.delete(HIGHLIGHT_NAME);
  };
}

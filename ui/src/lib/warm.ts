// Work the first transcript would otherwise pay for, done once the window is idle after its
// first list: markdown's first run (see prepareMarkdown) and the fonts a transcript uses.
//
// Measured with the GUI benchmark (tests/bench, WebKitGTK 2.50 under Xvfb): the first layout
// after opening the first transcript took up to 90 ms for 158 elements, against 0-2 ms later.
// WebKit resolves a font stack the first time text uses it (a fontconfig query for each family
// of `--mono` the machine lacks) and looks up a fallback font for each character the font lacks
// (the arrows of the CLI's Read results, bullets, check marks).
import { prepareMarkdown } from './markdown';

/** Text in every face a transcript shows, with the symbols the CLI writes most. */
const SAMPLE = 'Aa0 → ← ↑ ↓ • ✓ ✗ ⎿ … — “” ─│└├';

/** The faces: [font-family, font-weight, font-style]. */
const FACES: [string, string, string][] = [
  ['var(--mono)', 'normal', 'normal'],
  ['var(--mono)', 'bold', 'normal'],
  ['var(--sans)', 'bold', 'normal'],
  ['var(--sans)', 'normal', 'italic'],
  ['var(--sans)', 'normal', 'normal'],
];

/**
 * Lays out `SAMPLE` once in each face of `FACES`, out of sight, then removes it: the font
 * stacks and fallbacks are resolved now rather than in the first transcript's first frame.
 * Never throws.
 */
export function prepareFonts(doc: Document = document): void {
  try {
    const box = doc.createElement('div');
    box.setAttribute('aria-hidden', 'true');
    box.style.cssText = 'position:absolute;left:-10000px;top:0;visibility:hidden;contain:strict;width:1px;height:1px;overflow:hidden';
    for (const [family, weight, style] of FACES) {
      const span = doc.createElement('span');
      span.style.cssText = `font-family:${family};font-weight:${weight};font-style:${style};white-space:pre`;
      span.textContent = SAMPLE;
      box.append(span);
    }
    doc.body.append(box);
    void box.offsetWidth;
    for (const span of box.children) void (span as HTMLElement).getBoundingClientRect();
    box.remove();
  } catch {
    // Nothing is lost: the first transcript resolves its fonts itself.
  }
}

/** Everything above; the window calls it once, after its first list is likely on screen. */
export function warmUp(): void {
  prepareMarkdown();
  prepareFonts();
}

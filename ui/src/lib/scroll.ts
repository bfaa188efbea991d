// Keeping the end of a growing element in view, the way a chat does: only while the user is
// already looking at that end (scrolling up to read stops it).

/** The nearest ancestor that scrolls vertically, or null. */
export function scrollParent(el: Element | null): HTMLElement | null {
  for (let p = el?.parentElement ?? null; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if (y === 'auto' || y === 'scroll') return p;
  }
  return null;
}

/** Whether `el`'s bottom edge is visible in `viewport` (within `slack` pixels below its bottom). */
export function endInView(el: Element, viewport: Element | null, slack = 48): boolean {
  const bottom = viewport ? viewport.getBoundingClientRect().bottom : window.innerHeight;
  return el.getBoundingClientRect().bottom <= bottom + slack;
}

/** Scrolls so that `el`'s bottom edge is at the bottom of its scroll parent's view. */
export function revealEnd(el: Element): void {
  el.scrollIntoView?.({ block: 'end', inline: 'nearest' });
}

import { describe, expect, it } from 'vitest';
import { endInView, scrollParent } from './scroll';

function box(bottom: number): HTMLElement {
  const el = document.createElement('div');
  el.getBoundingClientRect = () => ({ bottom, top: bottom - 100, left: 0, right: 100, width: 100, height: 100, x: 0, y: 0, toJSON: () => ({}) }) as DOMRect;
  return el;
}

describe('endInView', () => {
  it('is true while the element’s end is visible, with some slack', () => {
    const viewport = box(800);
    expect(endInView(box(790), viewport)).toBe(true);
    expect(endInView(box(840), viewport)).toBe(true);
    expect(endInView(box(900), viewport)).toBe(false);
    expect(endInView(box(900), viewport, 150)).toBe(true);
  });
});

describe('scrollParent', () => {
  it('finds the nearest vertically scrolling ancestor', () => {
    const outer = document.createElement('main');
    outer.style.overflowY = 'auto';
    const mid = document.createElement('section');
    const leaf = document.createElement('div');
    mid.append(leaf);
    outer.append(mid);
    document.body.append(outer);
    expect(scrollParent(leaf)).toBe(outer);
    expect(scrollParent(outer)).toBeNull();
    expect(scrollParent(null)).toBeNull();
    outer.remove();
  });
});

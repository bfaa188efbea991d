import { describe, expect, it } from 'vitest';
import { prepareFonts, warmUp } from './warm';

describe('warm-up', () => {
  it('lays the sample out and leaves the document as it was', () => {
    document.body.innerHTML = '<main id="app"><p>list</p></main>';
    const before = document.body.innerHTML;
    let appended = 0;
    const observer = new MutationObserver((records) => {
      for (const r of records) appended += r.addedNodes.length;
    });
    observer.observe(document.body, { childList: true });
    prepareFonts();
    observer.takeRecords().forEach((r) => (appended += r.addedNodes.length));
    observer.disconnect();
    expect(appended).toBe(1);
    expect(document.body.innerHTML).toBe(before);
  });

  it('never throws, even where the document cannot take the sample', () => {
    const broken = {
      createElement() {
        throw new Error('no DOM');
      },
    } as unknown as Document;
    expect(() => prepareFonts(broken)).not.toThrow();
    expect(() => warmUp()).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { splitMarks } from './search';

describe('splitMarks', () => {
  it('splits at UTF-16 offsets, an emoji before the match included', () => {
    const s = '😀 a naïve café';
    const parts = splitMarks(s, [[5, 10], [11, 15]]);
    expect(parts).toEqual([
      { text: '😀 a ', marked: false },
      { text: 'naïve', marked: true },
      { text: ' ', marked: false },
      { text: 'café', marked: true },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(s);
  });

  it('ignores marks out of range, empty or overlapping; the text is always whole', () => {
    const s = 'parse the parser';
    const parts = splitMarks(s, [[10, 14], [0, 4], [2, 6], [20, 30], [7, 7]]);
    expect(parts.filter((p) => p.marked).map((p) => p.text)).toEqual(['pars', 'pars']);
    expect(parts.map((p) => p.text).join('')).toBe(s);
    expect(splitMarks('', [])).toEqual([{ text: '', marked: false }]);
    expect(splitMarks('<img src=x onerror=alert(1)>', [[0, 4]]).map((p) => p.text).join('')).toBe('<img src=x onerror=alert(1)>');
  });
});

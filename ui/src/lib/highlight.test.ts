import { describe, expect, it } from 'vitest';
import { highlightTerms, termOffsets } from './highlight';

describe('termOffsets', () => {
  it('finds words that start with a term, case folded, longest term first', () => {
    const text = 'Parsing the PARSER; unparsed parse_tree and pars.';
    const marks = termOffsets(text, ['pars', 'parser']).map(([s, e]) => text.slice(s, e));
    // "unparsed" does not start with a term; "parse_tree" does (the underscore ends a word).
    expect(marks).toEqual(['Pars', 'PARSER', 'pars', 'pars']);
  });

  it('gives UTF-16 offsets past astral characters and stops at the limit', () => {
    const text = '😀 café 😀 café café';
    const offsets = termOffsets(text, ['café'], 2);
    expect(offsets).toHaveLength(2);
    expect(offsets.map(([s, e]) => text.slice(s, e))).toEqual(['café', 'café']);
    expect(offsets[0][0]).toBe(3);
  });

  it('marks nothing without terms or in text whose lowercase changes length', () => {
    expect(termOffsets('anything', [])).toEqual([]);
    expect(termOffsets('anything', [''])).toEqual([]);
    expect(termOffsets('İstanbul istanbul', ['istanbul'])).toEqual([]);
  });
});

describe('highlightTerms', () => {
  it('is a no-op where the highlight API is missing', () => {
    const root = document.createElement('div');
    root.textContent = 'needle';
    const stop = highlightTerms(root, ['needle']);
    expect(root.innerHTML).toBe('needle');
    stop();
  });
});

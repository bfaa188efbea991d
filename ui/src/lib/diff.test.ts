import { describe, expect, it } from 'vitest';
import { diffLineCount, diffLines, languageOf } from './diff';

const DIFF = "--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,2 +1,2 @@\n const a = 1;\n-const b = '<script>alert(1)</script>';\n+const b = 2;\n\\ No newline at end of file\n";

describe('diffLines', () => {
  it('gives each line its kind and highlights code by the file language', () => {
    const lines = diffLines(DIFF, 'src/app.ts');
    expect(lines.map((l) => l.kind)).toEqual(['head', 'head', 'hunk', 'ctx', 'del', 'add', 'note']);
    expect(lines[5].mark).toBe('+');
    expect(lines[3].html).toContain('hljs-keyword');
  });

  it('never lets markup of the code through', () => {
    for (const path of ['src/app.ts', 'notes.unknown']) {
      const html = diffLines(DIFF, path).map((l) => l.html).join('\n');
      const box = document.createElement('div');
      box.innerHTML = html;
      expect(box.querySelector('script')).toBeNull();
      expect(box.textContent).toContain('<script>alert(1)</script>');
    }
  });

  it('stops at the cap and counts every line', () => {
    const big = '@@ -0,0 +1,5000 @@\n' + Array.from({ length: 5000 }, (_, i) => `+line ${i}`).join('\n');
    expect(diffLines(big, 'a.txt', 100)).toHaveLength(100);
    expect(diffLineCount(big)).toBe(5001);
    expect(languageOf('lib/x.ex')).toBe('elixir');
    expect(languageOf('Makefile')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { baseName, middleTruncate } from './paths';

describe('baseName', () => {
  it('is the last component', () => {
    expect(baseName('/tmp/ccdesk-e2e.wUdixU/work/demo project')).toBe('demo project');
    expect(baseName('/home/dev/proj/')).toBe('proj');
    expect(baseName('C:\\Users\\dev\\proj')).toBe('proj');
    expect(baseName('proj')).toBe('proj');
    expect(baseName('/')).toBe('/');
    expect(baseName('/a/b\\//')).toBe('b');
  });

  it('takes linear time on a long run of separators', () => {
    const path = '/'.repeat(80_000) + 'x';
    const t0 = performance.now();
    expect(baseName(path)).toBe('x');
    expect(baseName('/'.repeat(80_000))).toBe('/'.repeat(80_000));
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('middleTruncate', () => {
  it('keeps short text as it is', () => {
    expect(middleTruncate('/home/dev/proj', 20)).toBe('/home/dev/proj');
    expect(middleTruncate('', 5)).toBe('');
  });

  it('keeps head and tail with … between, max characters in all', () => {
    const long = '/tmp/ccdesk-e2e.wUdixU/work/demo project';
    for (const max of [8, 12, 20, 28, 36]) {
      const out = middleTruncate(long, max);
      expect(Array.from(out).length).toBeLessThanOrEqual(max);
      expect(out).toContain('…');
      expect(out.startsWith('/')).toBe(true);
      expect(long.endsWith(out.split('…')[1])).toBe(true);
      expect(long.startsWith(out.split('…')[0])).toBe(true);
    }
  });

  it('cuts on separators when that keeps the ends readable, and keeps the folder name', () => {
    expect(middleTruncate('/tmp/ccdesk-e2e.wUdixU/work/demo project', 28)).toBe('/tmp/ccdesk-e2…/demo project');
    expect(middleTruncate('/home/someone/src/github.com/acme/widgets', 30)).toMatch(/…\/acme\/widgets$/);
    expect(middleTruncate('/home/someone/src/github.com/acme/widgets', 30).endsWith('acme/widgets')).toBe(true);
  });

  it('handles text without separators and odd limits', () => {
    expect(middleTruncate('abcdefghijklmnopqrstuvwxyz', 11)).toBe('abcd…uvwxyz');
    expect(middleTruncate('abcdef', 1)).toBe('…');
    expect(middleTruncate('😀😀😀😀😀😀😀😀', 5)).toBe('😀…😀😀😀');
  });
});

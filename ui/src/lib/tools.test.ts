import { describe, expect, it } from 'vitest';
import { isSubagentTool, oneLine, safeJson, toolPreview, toolResultText } from './tools';

describe('toolPreview', () => {
  it.each([
    ['Bash', { command: 'echo hi', description: 'x' }, 'echo hi'],
    ['Read', { file_path: '/a/b.ts' }, '/a/b.ts'],
    ['Write', { file_path: '/a/c.ts', content: 'zzz' }, '/a/c.ts'],
    ['Grep', { pattern: 'TODO', path: 'src' }, 'TODO in src'],
    ['WebFetch', { url: 'https://x.dev' }, 'https://x.dev'],
    ['Agent', { description: 'Say hi', prompt: 'p', subagent_type: 'general-purpose' }, 'Say hi (general-purpose)'],
    ['TodoWrite', { todos: [{}, {}] }, '2 todos'],
    ['Mystery', { a: 1, b: 'first string' }, 'first string'],
    ['Mystery', { a: 1 }, '{"a":1}'],
    ['Mystery', null, ''],
  ])('%s %j -> %s', (name, input, expected) => {
    expect(toolPreview(name, input)).toBe(expected);
  });

  it('flattens and shortens long commands', () => {
    const preview = toolPreview('Bash', { command: `for i in 1 2\ndo\n  echo ${'x'.repeat(300)}\ndone` });
    expect(preview).not.toContain('\n');
    expect(preview.length).toBe(160);
    expect(preview.endsWith('…')).toBe(true);
  });
});

describe('tool results and helpers', () => {
  it('reads string and block contents', () => {
    expect(toolResultText('plain')).toBe('plain');
    expect(toolResultText([{ type: 'text', text: 'a' }, { type: 'image', source: {} }, { type: 'text', text: 'b' }])).toBe('a\n[image]\nb');
    expect(toolResultText(null)).toBe('');
    expect(toolResultText({ x: 1 })).toBe('{"x":1}');
  });

  it('knows the subagent tools', () => {
    expect(isSubagentTool('Task')).toBe(true);
    expect(isSubagentTool('Agent')).toBe(true);
    expect(isSubagentTool('Bash')).toBe(false);
  });

  it('safeJson survives cycles and oneLine collapses whitespace', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(safeJson(a)).toBe('[object Object]');
    expect(oneLine('  a \n\t b  ')).toBe('a b');
  });
});

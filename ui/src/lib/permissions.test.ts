import { describe, expect, it } from 'vitest';
import { canAllowSession, describeSuggestions, diffLines, isOfferedMode, PERMISSION_MODES } from './permissions';

describe('diffLines', () => {
  it('splits signed lines and keeps the rest as context', () => {
    expect(diffLines('-a\n-b\n+c\n… (10 more chars)')).toEqual([
      { sign: '-', text: 'a' },
      { sign: '-', text: 'b' },
      { sign: '+', text: 'c' },
      { sign: ' ', text: '… (10 more chars)' },
    ]);
  });

  it('drops only the final newline; keeps empty and markup lines as they are', () => {
    expect(diffLines('+\n+<img src=x onerror=alert(1)>\n')).toEqual([
      { sign: '+', text: '' },
      { sign: '+', text: '<img src=x onerror=alert(1)>' },
    ]);
    expect(diffLines('')).toEqual([]);
  });
});

describe('suggestions', () => {
  it('"Allow for this session" only for a non-empty array', () => {
    expect(canAllowSession({ suggestions: [{ type: 'setMode', mode: 'acceptEdits', destination: 'session' }] })).toBe(true);
    expect(canAllowSession({ suggestions: [] })).toBe(false);
    expect(canAllowSession({ suggestions: null })).toBe(false);
    expect(canAllowSession({ suggestions: { type: 'setMode' } })).toBe(false);
  });

  it('says what each update allows, and where it is saved', () => {
    expect(
      describeSuggestions({
        suggestions: [
          { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
          { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'npm test:*' }, { toolName: 'Read' }], behavior: 'allow', destination: 'localSettings' },
          { type: 'addDirectories', directories: ['/tmp/x'], destination: 'session' },
          { type: 'mystery', x: 1 },
          'odd',
        ],
      }),
    ).toEqual([
      'switch to accept edits mode, for this session',
      'allow Bash(npm test:*), Read, saved to the local settings',
      'allow access to /tmp/x, for this session',
      '{"type":"mystery","x":1}',
      '"odd"',
    ]);
  });
});

describe('the permission-mode menu', () => {
  it('offers the backend modes in order, each labelled, and no bypass', () => {
    expect(PERMISSION_MODES.map((m) => m.value)).toEqual(['default', 'acceptEdits', 'plan']);
    expect(PERMISSION_MODES.every((m) => m.label.length > 0)).toBe(true);
    expect(isOfferedMode('plan')).toBe(true);
    expect(isOfferedMode('bypassPermissions')).toBe(false);
    expect(isOfferedMode('toString')).toBe(false);
  });
});

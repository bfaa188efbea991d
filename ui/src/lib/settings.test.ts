import { describe, expect, it } from 'vitest';
import { defaultSettings } from './__fixtures__/data';
import { applyTheme, fromForm, resolveTheme, sourceLabel, toForm } from './settings';

describe('settings form', () => {
  it('shows timeouts in seconds and minutes and gives back ms, keeping fields it does not show', () => {
    const s = defaultSettings();
    const form = toForm(s);
    expect(form.firstChunkTimeoutS).toBe('10');
    expect(form.ongoingTimeoutS).toBe('120');
    expect(form.ttlMin).toBe('60');
    expect(form.claudePath).toBe('');
    const back = fromForm(form, s);
    expect(back).toEqual({ settings: s });
    form.ttlMin = '1.5';
    form.firstChunkTimeoutS = '20';
    form.claudePath = '  /opt/claude/bin/claude ';
    form.defaultModel = '';
    form.trayRecent = '5';
    const changed = fromForm(form, s);
    if (!('settings' in changed)) throw new Error(changed.error);
    expect(changed.settings.pool.ttlMs).toBe(90_000);
    expect(changed.settings.pool.firstChunkTimeoutMs).toBe(20_000);
    expect(changed.settings.pool.reconnectAttempts).toBe(s.pool.reconnectAttempts);
    expect(changed.settings.pool.interruptGraceMs).toBe(s.pool.interruptGraceMs);
    expect(changed.settings.claudePath).toBe('/opt/claude/bin/claude');
    expect(changed.settings.defaultModel).toBeNull();
    expect(changed.settings.trayRecent).toBe(5);
  });

  it('edits the config dirs: the name of the first, and more named ones (blank rows dropped)', () => {
    const s = { ...defaultSettings(), moreConfigDirs: [{ name: 'work', configDir: '/h/.claude-work' }] };
    const form = toForm(s);
    expect(form.configDirName).toBe('');
    expect(form.moreConfigDirs).toEqual([{ name: 'work', configDir: '/h/.claude-work' }]);
    expect(fromForm(form, s)).toEqual({ settings: s });
    form.configDirName = ' personal ';
    form.moreConfigDirs.push({ name: '', configDir: '  ' }, { name: ' lab ', configDir: ' /h/.claude-lab ' });
    const back = fromForm(form, s);
    if (!('settings' in back)) throw new Error(back.error);
    expect(back.settings.configDirName).toBe('personal');
    expect(back.settings.moreConfigDirs).toEqual([
      { name: 'work', configDir: '/h/.claude-work' },
      { name: 'lab', configDir: '/h/.claude-lab' },
    ]);
  });

  it('shows the pool\'s other knobs in seconds and counts, and gives back ms', () => {
    const s = defaultSettings();
    const form = toForm(s);
    expect([form.sweepIntervalS, form.interruptGraceS, form.interruptTimeoutS, form.reconnectBackoffS]).toEqual(['1', '3', '15', '0.5']);
    expect(form.reconnectAttempts).toBe('3');
    Object.assign(form, { sweepIntervalS: '0.25', interruptGraceS: '2', interruptTimeoutS: '30', reconnectAttempts: '0', reconnectBackoffS: '1.5' });
    const back = fromForm(form, s);
    if (!('settings' in back)) throw new Error(back.error);
    expect(back.settings.pool).toMatchObject({
      sweepIntervalMs: 250,
      interruptGraceMs: 2_000,
      interruptTimeoutMs: 30_000,
      reconnectAttempts: 0,
      reconnectBackoffMs: 1_500,
    });
  });

  it('counts must be whole numbers', () => {
    const form = toForm(defaultSettings());
    form.maxSessions = '2.5';
    expect(fromForm(form, defaultSettings())).toEqual({ error: 'Pool size: "2.5" is not a whole number' });
    form.maxSessions = '2';
    form.trayRecent = '3.2';
    expect(fromForm(form, defaultSettings())).toEqual({ error: 'Recent sessions in the tray: "3.2" is not a whole number' });
    // What a number input bound by Svelte holds.
    (form as unknown as Record<string, unknown>).trayRecent = 7;
    expect(fromForm(form, defaultSettings())).toMatchObject({ settings: { trayRecent: 7 } });
  });

  it('names the first field that is not a number', () => {
    const form = toForm(defaultSettings());
    form.ongoingTimeoutS = 'soon';
    expect(fromForm(form, defaultSettings())).toEqual({ error: 'Silence timeout: "soon" is not a number' });
    form.ongoingTimeoutS = '';
    expect(fromForm(form, defaultSettings())).toHaveProperty('error');
  });

  it('resolves and applies the theme', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    const el = document.createElement('div');
    applyTheme(el, 'dark', false);
    expect(el.dataset.theme).toBe('dark');
    applyTheme(el, 'system', false);
    expect(el.dataset.theme).toBe('light');
  });

  it('says where claude was found in words', () => {
    expect(sourceLabel('loginShell')).toBe("your login shell's PATH");
    expect(sourceLabel('npmGlobal')).toBe("npm's global bin");
    expect(sourceLabel('other')).toBe('other');
  });
});

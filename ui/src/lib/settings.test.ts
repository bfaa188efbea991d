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
    expect(changed.settings.claudePath).toBe('/opt/claude/bin/claude');
    expect(changed.settings.defaultModel).toBeNull();
    expect(changed.settings.trayRecent).toBe(5);
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

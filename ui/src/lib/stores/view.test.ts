import { describe, expect, it } from 'vitest';
import { ViewState } from './view.svelte';

describe('ViewState: one overlay', () => {
  it('opening a sheet closes the other; closing it goes back to the session', () => {
    const v = new ViewState();
    expect(v.overlay).toEqual({ kind: 'none' });
    v.open('settings');
    expect(v.sheet).toBe('settings');
    v.open('switcher');
    expect(v.overlay).toEqual({ kind: 'switcher', overPool: false });
    v.openNew('/w', false);
    expect(v.overlay).toEqual({ kind: 'new', cwd: '/w', overPool: false });
    v.closeSheet();
    expect(v.overlay).toEqual({ kind: 'none' });
    expect(v.sheet).toBeNull();
  });

  it('a sheet over the pool view keeps it: closing the sheet shows the pool again', () => {
    const v = new ViewState();
    v.openPool();
    expect(v.overlay).toEqual({ kind: 'pool' });
    v.open('settings');
    expect(v.poolShown).toBe(true);
    v.closeSheet('settings');
    expect(v.overlay).toEqual({ kind: 'pool' });
    v.leavePool();
    expect(v.overlay).toEqual({ kind: 'none' });
    expect(v.poolShown).toBe(false);
  });

  it('leaving the pool under an open sheet keeps the sheet (the same one, changed in place)', () => {
    const v = new ViewState();
    v.openPool();
    v.openNew('/a', false);
    const sheet = v.overlay;
    v.leavePool();
    expect(v.overlay).toBe(sheet);
    expect(v.overlay).toEqual({ kind: 'new', cwd: '/a', overPool: false });
    v.openPool();
    expect(v.overlay).toBe(sheet);
    expect(v.poolShown).toBe(true);
  });

  it('an open new-session sheet takes a folder given to it, or stays as it is', () => {
    const v = new ViewState();
    v.openNew('/a', false);
    const sheet = v.overlay;
    v.openNew('/b', false);
    expect(v.overlay).toBe(sheet);
    expect(v.overlay).toEqual({ kind: 'new', cwd: '/a', overPool: false });
    v.openNew('/c', true);
    expect(v.overlay).toBe(sheet);
    expect(v.overlay).toEqual({ kind: 'new', cwd: '/c', overPool: false });
  });

  it('closing a sheet of another kind leaves the open one', () => {
    const v = new ViewState();
    v.open('switcher');
    v.closeSheet('settings');
    expect(v.sheet).toBe('switcher');
    v.closeSheet('switcher');
    expect(v.sheet).toBeNull();
    // nothing to close: the pool view stays
    v.openPool();
    v.closeSheet();
    expect(v.overlay).toEqual({ kind: 'pool' });
  });
});

describe('ViewState: onPool', () => {
  it('is told when the pool view is shown or left, not when it stays as it was', () => {
    const told: boolean[] = [];
    const v = new ViewState((shown) => told.push(shown));
    v.leavePool();
    v.openPool();
    v.openPool();
    v.open('settings');
    v.closeSheet();
    expect(told).toEqual([true]);
    v.open('switcher');
    v.leavePool();
    v.leavePool();
    v.openPool();
    v.closeSheet();
    v.leavePool();
    expect(told).toEqual([true, false, true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { briefs, index, projectIndex } from './__fixtures__/data';
import { filterSwitcher, switcherItems } from './switcher';

describe('quick switcher', () => {
  const registry = { version: 1, sessions: { '22222222-2222-4333-8444-555555555555': { name: 'Parser fix', pinned: false, cwd: null, lastState: null, lastRunAtMs: 0, history: [] } } };
  const projects = projectIndex().projects;

  it('lists live runs first, then sessions newest first, with registry names', () => {
    const items = switcherItems(briefs(), projects, registry, [{ key: 'run-1', title: 'Busy one', state: 'streaming' }]);
    expect(items[0]).toMatchObject({ kind: 'live', key: 'run-1', detail: 'streaming' });
    expect(items.map((i) => i.title)).toContain('Parser fix');
    expect(items.find((i) => i.title === 'Say hello')?.detail).toBe('proj');
    const times = items.slice(1).map((i) => i.lastActivityMs);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(items).toHaveLength(1 + 4);
  });

  it('keeps items with every word of the query, in any case', () => {
    const items = switcherItems(briefs(), projects, registry, []);
    expect(filterSwitcher(items, 'PARSER').map((i) => i.title)).toEqual(['Parser fix']);
    expect(filterSwitcher(items, 'say proj').map((i) => i.title)).toEqual(['Say hello']);
    expect(filterSwitcher(items, 'nothing like this')).toEqual([]);
    expect(filterSwitcher(items, '', 2)).toHaveLength(2);
  });

  it('a named session is found by its name and by the title the name hides', () => {
    const items = switcherItems(briefs(), projects, registry, []);
    const named = items.find((i) => i.key === '-home-dev-proj/22222222-2222-4333-8444-555555555555');
    expect(named).toMatchObject({ title: 'Parser fix', subtitle: 'Second' });
    expect(filterSwitcher(items, 'second').map((i) => i.key)).toEqual([named?.key]);
    expect(items.find((i) => i.title === 'Say hello')?.subtitle).toBeNull();
  });

  it('one session id in two project dirs gives two items, told apart by key', () => {
    const idx = index();
    const copy = { ...idx.projects[0].sessions[0], key: '-other/' + idx.projects[0].sessions[0].id, dirName: '-other' };
    idx.projects.push({ key: 'dir:-other', projectPath: null, dirName: '-other', lastActivityMs: null, sessions: [copy] });
    const items = switcherItems(briefs(idx), projectIndex(idx).projects, null, []).filter((i) => i.title === 'Say hello');
    expect(items.map((i) => i.detail)).toEqual(['proj', '-other']);
    expect(new Set(items.map((i) => i.key)).size).toBe(2);
  });

  it('briefs not loaded yet: the live runs only; a project not (yet) listed: the dir name', () => {
    const live = [{ key: 'run-1', title: 'Busy one', state: 'streaming' }];
    expect(switcherItems(null, projects, null, live).map((i) => i.key)).toEqual(['run-1']);
    const [item] = switcherItems(briefs(), [], null, []);
    expect(item.detail).toBe('-home-dev-proj');
  });
});

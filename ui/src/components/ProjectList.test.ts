import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { projectIndex } from '../lib/__fixtures__/data';
import type { ProjectEntry } from '../lib/types';
import ProjectList from './ProjectList.svelte';
import { installLayout } from '../lib/__fixtures__/layout';
import type { ComponentProps } from 'svelte';

installLayout();

/** Renders the list and waits for its rows (the virtual list lays out after a microtask). */
async function show(props: ComponentProps<typeof ProjectList>) {
  const r = render(ProjectList, props);
  await waitFor(() => expect(screen.queryAllByTestId('project-item').length).toBeGreaterThan(0));
  return r;
}

const group = (projectPath: string | null, dirName: string, sessionCount = 0): ProjectEntry => ({
  key: projectPath !== null ? `cwd:${projectPath}` : `dir:${dirName}`,
  projectPath,
  dirName,
  lastActivityMs: null,
  sessionCount,
  expiringSoon: 0,
  profiles: [],
});

describe('ProjectList', () => {
  it('shows the folder name, the whole path shortened in the middle, the full path as tooltip', async () => {
    const long = '/tmp/ccdesk-e2e.wUdixU/work/some/deeper/folders/demo project';
    const onselect = vi.fn();
    await show({ projects: [group(long, '-long'), ...projectIndex().projects], selected: `cwd:${long}`, onselect });
    const [first] = screen.getAllByTestId('project-item');
    expect(first.dataset.projectPath).toBe(long);
    expect(first.getAttribute('title')).toBe(long);
    expect(first.querySelector('[data-testid="project-name"]')?.textContent).toBe('demo project');
    const path = first.querySelector('.path')?.textContent ?? '';
    expect(path).toContain('…');
    expect(path.startsWith('/tmp/')).toBe(true);
    expect(path.endsWith('/demo project')).toBe(true);
    expect(Array.from(path).length).toBeLessThanOrEqual(40);
    await fireEvent.click(first);
    expect(onselect).toHaveBeenCalledWith(`cwd:${long}`);
    expect(first.dataset.projectKey).toBe(`cwd:${long}`);
  });

  it('shows short paths whole and names a project without a known path by its directory', async () => {
    await show({ projects: projectIndex().projects, selected: null, onselect: () => {} });
    const items = screen.getAllByTestId('project-item');
    expect(items[0].querySelector('.path')?.textContent).toBe('/home/dev/proj');
    expect(items[0].querySelector('[data-testid="project-name"]')?.textContent).toBe('proj');
    expect(items[2].querySelector('[data-testid="project-name"]')?.textContent).toBe('-mystery');
    expect(items[2].textContent).toContain('unknown path');
    expect(items[2].getAttribute('title')).toBe('-mystery');
  });

  it('shows each project’s session count as listed (its sessions are not loaded)', async () => {
    await show({ projects: [group('/work/big', '-work-big', 10_000), ...projectIndex().projects], selected: null, onselect: () => {} });
    const counts = screen.getAllByTestId('project-item').map((el) => el.querySelector('.count')?.textContent);
    expect(counts).toEqual(['10000', '2', '1', '1']);
  });

  it('lists 500 projects in a virtual list: only the rows in sight are rendered, each keyed and selectable', async () => {
    installLayout(600);
    try {
      const many = Array.from({ length: 500 }, (_, i) => group(`/work/p${i}`, `-work-p${i}`));
      const onselect = vi.fn();
      const started = performance.now();
      await show({ projects: many, selected: many[0].key, onselect });
      const items = screen.getAllByTestId('project-item');
      expect(items.length).toBeGreaterThan(5);
      expect(items.length).toBeLessThan(80);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(screen.getByTestId('project-list').dataset.count).toBe('500');
      expect(items[0].getAttribute('aria-current')).toBe('true');
      await fireEvent.click(items[3]);
      expect(onselect).toHaveBeenCalledWith('cwd:/work/p3');
    } finally {
      installLayout();
    }
  });

  it('brings a project selected elsewhere into view (a virtual list renders only what is in sight)', async () => {
    installLayout(600);
    const scrolls = vi.spyOn(Element.prototype, 'scrollTo');
    try {
      const many = Array.from({ length: 500 }, (_, i) => group(`/work/p${i}`, `-work-p${i}`));
      const r = await show({ projects: many, selected: many[0].key, onselect: () => {} });
      expect(screen.queryAllByTestId('project-item').some((e) => e.dataset.projectKey === many[400].key)).toBe(false);
      scrolls.mockClear();
      await r.rerender({ projects: many, selected: many[400].key, onselect: () => {} });
      // The list scrolls down to row 400, at virtua's estimate of unmeasured rows (40 px): past
      // row 300 at least.
      await waitFor(() => expect(scrolls).toHaveBeenCalled());
      const top = (scrolls.mock.calls.at(-1)?.[0] as ScrollToOptions | undefined)?.top ?? 0;
      expect(top).toBeGreaterThan(300 * 40);
    } finally {
      scrolls.mockRestore();
      installLayout();
    }
  });

  it('says so when there is no project', () => {
    render(ProjectList, { projects: [], selected: null, onselect: () => {} });
    expect(screen.getByText('No sessions found.')).toBeTruthy();
    expect(screen.queryByTestId('project-list')).toBeNull();
  });
});

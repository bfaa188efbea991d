import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { projectIndex } from '../lib/__fixtures__/data';
import type { ProjectEntry } from '../lib/types';
import ProjectList from './ProjectList.svelte';

const group = (projectPath: string | null, dirName: string, sessionCount = 0): ProjectEntry => ({
  key: projectPath !== null ? `cwd:${projectPath}` : `dir:${dirName}`,
  projectPath,
  dirName,
  lastActivityMs: null,
  sessionCount,
});

describe('ProjectList', () => {
  it('shows the folder name, the whole path shortened in the middle, the full path as tooltip', async () => {
    const long = '/tmp/ccdesk-e2e.wUdixU/work/some/deeper/folders/demo project';
    const onselect = vi.fn();
    render(ProjectList, { projects: [group(long, '-long'), ...projectIndex().projects], selected: `cwd:${long}`, onselect });
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

  it('shows short paths whole and names a project without a known path by its directory', () => {
    render(ProjectList, { projects: projectIndex().projects, selected: null, onselect: () => {} });
    const items = screen.getAllByTestId('project-item');
    expect(items[0].querySelector('.path')?.textContent).toBe('/home/dev/proj');
    expect(items[0].querySelector('[data-testid="project-name"]')?.textContent).toBe('proj');
    expect(items[2].querySelector('[data-testid="project-name"]')?.textContent).toBe('-mystery');
    expect(items[2].textContent).toContain('unknown path');
    expect(items[2].getAttribute('title')).toBe('-mystery');
  });

  it('shows each project’s session count as listed (its sessions are not loaded)', () => {
    render(ProjectList, { projects: [group('/work/big', '-work-big', 10_000), ...projectIndex().projects], selected: null, onselect: () => {} });
    const counts = screen.getAllByTestId('project-item').map((el) => el.querySelector('.count')?.textContent);
    expect(counts).toEqual(['10000', '2', '1', '1']);
  });

  it('lists 500 projects (every one, keyed and selectable) without delay', async () => {
    const many = Array.from({ length: 500 }, (_, i) => group(`/work/p${i}`, `-work-p${i}`));
    const onselect = vi.fn();
    const started = performance.now();
    render(ProjectList, { projects: many, selected: many[0].key, onselect });
    const items = screen.getAllByTestId('project-item');
    expect(items).toHaveLength(500);
    expect(performance.now() - started).toBeLessThan(5_000);
    await fireEvent.click(items[499]);
    expect(onselect).toHaveBeenCalledWith('cwd:/work/p499');
  });
});

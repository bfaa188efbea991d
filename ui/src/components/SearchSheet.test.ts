import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { summary } from '../lib/__fixtures__/data';
import type { SearchIndexing, SearchResults } from '../lib/types';
import SearchSheet from './SearchSheet.svelte';
import { installLayout } from '../lib/__fixtures__/layout';

installLayout();

const hostile = '<img src=x onerror="globalThis.__pwned=1">';

function results(partial = false): SearchResults {
  return {
    sessions: [
      {
        session: summary({ title: 'Fix the parser' }),
        hitCount: 7,
        score: 3,
        hits: [
          { line: 41, uuid: 'u41', timestamp: null, kind: 'prompt', subagent: null, snippet: `why does parse_session_index fail ${hostile}`, marks: [[9, 14], [15, 22], [23, 28]] },
          { line: 3, uuid: null, timestamp: null, kind: 'toolOutput', subagent: 'agent-a1', snippet: 'parse error', marks: [[0, 5]] },
        ],
      },
    ],
    terms: ['parse', 'session', 'index'],
    truncated: false,
    partial,
  };
}

function open(answer = results(), progress: SearchIndexing | null = null) {
  const search = vi.fn(async () => answer);
  const onpick = vi.fn();
  const onclose = vi.fn();
  render(SearchSheet, { search, onpick, onclose, debounceMs: 1, progress });
  return { search, onpick, onclose, input: screen.getByTestId('search-input') as HTMLInputElement };
}

describe('SearchSheet', () => {
  it('searches what is typed once it settles and marks the matched words as text, never HTML', async () => {
    const { search, input } = open();
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: 'parse_session_index' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    expect(search).toHaveBeenCalledWith('parse_session_index');
    const first = screen.getAllByTestId('search-hit')[0];
    expect([...first.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['parse', 'session', 'index']);
    expect(first.textContent).toContain(hostile);
    expect(first.querySelector('img')).toBeNull();
    expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined();
    expect(screen.getByTestId('search-session').textContent).toContain('7 hits');
    expect(screen.getAllByTestId('search-hit')[1].textContent).toContain('subagent tool output');
  });

  it('a click on a hit opens its session at its line (a subagent hit at the session itself)', async () => {
    const { onpick, input } = open();
    await fireEvent.input(input, { target: { value: 'parse' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId('search-hit')[0]);
    expect(onpick).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Fix the parser' }), 41, ['parse', 'session', 'index']);
    await fireEvent.click(screen.getAllByTestId('search-hit')[1]);
    expect(onpick).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Fix the parser' }), null, ['parse', 'session', 'index']);
  });

  it('says when results are partial, shows errors in words, and Esc closes', async () => {
    const { input, onclose } = open(results(true), { progress: { doneFiles: 1, totalFiles: 4, doneBytes: 25, totalBytes: 100 }, complete: false });
    expect(screen.getByTestId('search-partial').textContent).toContain('25%');
    await fireEvent.input(input, { target: { value: 'parse' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    expect(screen.getByTestId('search-partial').textContent).toContain('still indexing');
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });

  it('a failed search tells why and keeps the sheet usable', async () => {
    const search = vi.fn(async () => {
      throw { kind: 'invalid_input', message: 'the query has nothing to look for' };
    });
    render(SearchSheet, { search, onpick: vi.fn(), onclose: vi.fn(), debounceMs: 1 });
    await fireEvent.input(screen.getByTestId('search-input'), { target: { value: '-only' } });
    await waitFor(() => expect(screen.getByTestId('search-status').textContent).toContain('nothing to look for'));
  });
});

import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_LIMIT, setMarkdownParser, type MarkdownParser } from '../lib/markdown';
import Markdown from './Markdown.svelte';
import { XSS, expectInert } from '../lib/__fixtures__/xss';

/** A parser that misses every deadline, except on demand (`deep`), where it parses for real. */
function slowUnlessAsked(): MarkdownParser {
  return {
    async parse(text, { deep }) {
      if (!deep) return { ok: false, reason: 'slow' };
      const { parseMarkdown } = await import('../lib/markdown.parse');
      return { ok: true, html: parseMarkdown(text, Infinity) };
    },
    dispose() {},
  };
}

const long = (s: string) => `${s}\n\n${'more words '.repeat(Math.ceil(SYNC_LIMIT / 10))}`;

describe('Markdown', () => {
  afterEach(() => {
    cleanup();
    setMarkdownParser(null);
  });

  it('renders a short text at once', () => {
    const { container } = render(Markdown, { text: 'Some **bold**' });
    expect(container.querySelector('.md strong')?.textContent).toBe('bold');
  });

  it('renders a longer text once the parser answers', async () => {
    const { container } = render(Markdown, { text: long('# Title') });
    expect(screen.getByTestId('render-pending').textContent).toContain('# Title');
    await waitFor(() => expect(container.querySelector('.md h1')?.textContent).toBe('Title'));
  });

  it('shows a text the parser could not render in time as plain text, then renders it on demand', async () => {
    setMarkdownParser(slowUnlessAsked);
    const text = long('# Title <b>x</b>');
    const { container } = render(Markdown, { text });
    await waitFor(() => expect(screen.getByTestId('render-fallback').textContent).toBe(text));
    expect(screen.getByTestId('render-note').textContent).toContain('Shown as plain text: rendering it as markdown took too long');
    expect(container.querySelector('h1, b')).toBeNull();
    await fireEvent.click(screen.getByTestId('render-as-markdown'));
    await waitFor(() => expect(container.querySelector('.md h1')?.textContent).toBe('Title <b>x</b>'));
    expect(screen.queryByTestId('render-fallback')).toBeNull();
  });

  it('says when marked failed', async () => {
    setMarkdownParser(() => ({ parse: async () => ({ ok: false, reason: 'error' }), dispose() {} }));
    render(Markdown, { text: long('x') });
    await waitFor(() => expect(screen.getByTestId('render-note').textContent).toContain('could not be rendered'));
  });

  it('keeps XSS payloads inert on the markdown and the plain-text path', async () => {
    for (const payload of XSS) {
      const md = render(Markdown, { text: payload });
      expectInert(md.container);
      cleanup();
    }
    setMarkdownParser(slowUnlessAsked);
    for (const payload of XSS) {
      const text = long(payload);
      const md = render(Markdown, { text });
      await waitFor(() => expect(screen.getByTestId('render-fallback').textContent).toBe(text));
      expectInert(md.container);
      await fireEvent.click(screen.getByTestId('render-as-markdown'));
      await waitFor(() => expect(screen.queryByTestId('render-fallback')).toBeNull());
      expectInert(md.container);
      cleanup();
    }
  });

  it('keeps the last rendering of a growing text until the next one is there', async () => {
    const first = long('# One');
    const md = render(Markdown, { text: first });
    await waitFor(() => expect(md.container.querySelector('h1')).not.toBeNull());
    await md.rerender({ text: `${first}\n\n## Two` });
    expect(md.container.querySelector('h1')?.textContent).toBe('One');
    expect(screen.queryByTestId('render-pending')).toBeNull();
    await waitFor(() => expect(md.container.querySelector('h2')?.textContent).toBe('Two'));
  });
});

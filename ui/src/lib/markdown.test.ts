import { describe, expect, it } from 'vitest';
import { MARKDOWN_LIMIT, escapeHtml, renderMarkdown } from './markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders ordinary markdown', () => {
    const out = dom(renderMarkdown('# Title\n\nSome **bold** and `code`.\n\n```js\nlet a = 1 < 2;\n```\n\n- one\n- two'));
    expect(out.querySelector('h1')?.textContent).toBe('Title');
    expect(out.querySelector('strong')?.textContent).toBe('bold');
    expect(out.querySelector('pre code')?.textContent).toBe('let a = 1 < 2;\n');
    expect(out.querySelectorAll('li')).toHaveLength(2);
  });

  it('shows raw HTML as text and never as elements', () => {
    const out = dom(renderMarkdown('<script>window.pwned = 1</script>\n\nhi <img src=x onerror="window.pwned=1"> <b onclick="x()">b</b>'));
    expect(out.querySelector('script, img, b')).toBeNull();
    expect(out.textContent).toContain('<script>window.pwned = 1</script>');
    expect(out.textContent).toContain('<img src=x onerror="window.pwned=1">');
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it('keeps CLI markup such as <command-name> readable', () => {
    expect(dom(renderMarkdown('<command-name>/compact</command-name>')).textContent).toContain('<command-name>/compact</command-name>');
  });

  it('keeps link text but drops every target', () => {
    const out = dom(renderMarkdown('[click](javascript:alert(1)) and [site](https://example.com) and https://auto.example.org'));
    expect(out.querySelector('a')).toBeNull();
    expect(out.querySelector('[href]')).toBeNull();
    expect(out.textContent).toContain('click');
    expect(out.textContent).toContain('site');
    expect(out.querySelector('.md-link')?.getAttribute('title')).toBe('javascript:alert(1)');
  });

  it('turns images into their alt text, loading nothing', () => {
    const out = dom(renderMarkdown('![a cat](https://example.com/cat.png)'));
    expect(out.querySelector('img, [src]')).toBeNull();
    expect(out.textContent).toContain('[image: a cat]');
  });

  it('leaves no event handler or style attributes anywhere', () => {
    const out = dom(renderMarkdown('*x*{onmouseover=alert(1)} <div style="position:fixed">y</div>\n\n| a |\n|---|\n| <i onclick=1>b</i> |'));
    for (const el of Array.from(out.querySelectorAll('*'))) {
      const names = Array.from(el.attributes).map((a) => a.name);
      expect(names.filter((n) => n.startsWith('on') || n === 'style')).toEqual([]);
    }
    expect(out.querySelector('div, i')).toBeNull();
  });

  it('shows huge texts escaped in a pre', () => {
    const big = '<b>' + 'x'.repeat(MARKDOWN_LIMIT) + '</b>';
    const out = dom(renderMarkdown(big));
    expect(out.querySelector('pre')).not.toBeNull();
    expect(out.querySelector('b')).toBeNull();
  });

  it('escapeHtml escapes the five specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MARKDOWN_LIMIT,
  SYNC_LIMIT,
  WorkerParser,
  escapeHtml,
  forgetMarkdown,
  markdownLater,
  markdownNow,
  markdownOnDemand,
  plainParagraph,
  renderMarkdown,
  setMarkdownParser,
  type MarkdownWorker,
} from './markdown';
import type { MarkdownJob, MarkdownReply } from './markdown.parse';
import { nodeMarkdownWorker } from './markdown.testing';
import { XSS, expectInert } from './__fixtures__/xss';

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

/** Milliseconds since `t0`. */
const since = (t0: number) => performance.now() - t0;

const BOMBS: Record<string, string> = {
  '2 KB of >': '>'.repeat(2048),
  '*a x 95,000': '*a'.repeat(95_000),
  'a deeply nested list': Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n'),
  'nested ordered lists': '1. '.repeat(3000),
  'a huge table': ['| ' + 'h | '.repeat(60), '|' + '---|'.repeat(60), ...Array.from({ length: 600 }, () => '| ' + 'c | '.repeat(60))].join('\n'),
  '_a x 50,000': '_a'.repeat(50_000),
};

describe('markdown in bounded time, through a real worker thread', () => {
  beforeAll(() => setMarkdownParser(() => new WorkerParser(nodeMarkdownWorker)));
  afterAll(() => setMarkdownParser(null));

  /** Waits until the shared worker is up (a new one starts after every missed deadline). */
  async function warm() {
    expect(await markdownLater(`${'warm '.repeat(60)}${Math.random()}`)).toEqual(expect.objectContaining({ kind: 'html' }));
  }

  it('renders ordinary long text in the worker, sanitized', async () => {
    await warm();
    const text = '# Title\n\n' + 'Some **bold** text. '.repeat(40) + '\n\n<b onclick="x()">raw</b>';
    expect(markdownNow(text)).toBeNull();
    const out = await markdownLater(text);
    expect(out?.kind).toBe('html');
    const root = dom(out?.kind === 'html' ? out.html : '');
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelector('b')).toBeNull();
    expect(markdownNow(text)).toEqual(out); // cached
  });

  for (const [name, text] of Object.entries(BOMBS)) {
    it(`answers ${name} within the budget, without throwing`, async () => {
      await warm();
      const t0 = performance.now();
      const out = await markdownLater(text);
      const ms = since(t0);
      expect(ms).toBeLessThan(200);
      expect(out === null ? null : out.kind === 'html' ? 'html' : out.reason).toMatch(/^(html|slow|error)$/);
      console.info(`markdown: ${name} (${text.length} chars) → ${out?.kind === 'html' ? 'html' : out?.reason} in ${ms.toFixed(1)} ms`);
    });
  }

  it('renders a slow text on demand, in a worker of its own', async () => {
    await warm();
    // Far past the 50 ms deadline on any machine (marked is at least quadratic here: ~0.5 s on 2 cores), yet quick on demand.
    const text = '*a'.repeat(12_000);
    const first = await markdownLater(text);
    expect(first).toEqual({ kind: 'fallback', reason: 'slow' });
    const asked = await markdownOnDemand(text);
    expect(asked.kind).toBe('html');
    expect(markdownNow(text)).toEqual(asked);
    // marked's recursion overflows the worker's stack: said, not thrown
    expect(await markdownOnDemand('>'.repeat(50_000))).toEqual({ kind: 'fallback', reason: 'error' });
  }, 20_000);

  it('keeps every XSS payload inert on the worker path', async () => {
    await warm();
    for (const payload of XSS) {
      const text = `${payload}\n\n${'padding '.repeat(40)}\n\n${payload}`;
      const out = await markdownLater(text);
      expect(out?.kind).toBe('html');
      expectInert(dom(out?.kind === 'html' ? out.html : ''));
    }
  });
});

/** A worker that answers only when told to, for the parser's bookkeeping. */
function scriptedWorker(log: string[], answer: (job: MarkdownJob) => MarkdownReply | null = () => null): () => MarkdownWorker {
  return () => {
    const w: MarkdownWorker = {
      onmessage: null,
      onerror: null,
      postMessage(job) {
        log.push(`job ${job.text}`);
        const reply = answer(job);
        if (reply) setTimeout(() => w.onmessage?.({ data: reply }), 0);
      },
      terminate() {
        log.push('terminate');
      },
    };
    log.push('spawn');
    setTimeout(() => w.onmessage?.({ data: { ready: true } }), 0);
    return w;
  };
}

describe('WorkerParser', () => {
  afterEach(() => vi.useRealTimers());

  it('terminates a worker that misses the deadline and starts a new one for the next job', async () => {
    const log: string[] = [];
    const parser = new WorkerParser(scriptedWorker(log, (job) => (job.text === 'hang' ? null : { id: job.id, html: `<p>${job.text}</p>` })));
    const t0 = performance.now();
    expect(await parser.parse('hang', { deadlineMs: 50 })).toEqual({ ok: false, reason: 'slow' });
    expect(since(t0)).toBeLessThan(200);
    expect(await parser.parse('fine', { deadlineMs: 50 })).toEqual({ ok: true, html: '<p>fine</p>' });
    expect(log).toEqual(['spawn', 'job hang', 'terminate', 'spawn', 'job fine']);
    parser.dispose();
  });

  it('drops a queued job whose signal aborts, and answers errors as errors', async () => {
    const log: string[] = [];
    const parser = new WorkerParser(scriptedWorker(log, (job) => ({ id: job.id, error: 'RangeError: too deep' })));
    const ctl = new AbortController();
    const a = parser.parse('a', { deadlineMs: 50 });
    const b = parser.parse('b', { deadlineMs: 50, signal: ctl.signal });
    ctl.abort();
    expect(await b).toEqual({ ok: false, reason: 'cancelled' });
    expect(await a).toEqual({ ok: false, reason: 'error' });
    expect(log).toEqual(['spawn', 'job a']);
    parser.dispose();
  });

  it('says unavailable when no worker can start, and on demand renders on this thread', async () => {
    const parser = new WorkerParser(() => {
      throw new Error('blocked by CSP');
    });
    expect(await parser.parse('x', { deadlineMs: 50 })).toEqual({ ok: false, reason: 'unavailable' });
    setMarkdownParser(() => parser);
    try {
      const text = '**bold** '.repeat(40);
      expect(await markdownLater(text)).toEqual({ kind: 'fallback', reason: 'error' });
      const asked = await markdownOnDemand(text);
      expect(asked.kind === 'html' && dom(asked.html).querySelector('strong')?.textContent).toBe('bold');
    } finally {
      setMarkdownParser(null);
    }
  });

  it('gives up on a worker that never says ready', async () => {
    vi.useFakeTimers();
    const parser = new WorkerParser(() => ({ onmessage: null, onerror: null, postMessage() {}, terminate() {} }));
    const reply = parser.parse('x', { deadlineMs: 50 });
    await vi.advanceTimersByTimeAsync(10_001);
    expect(await reply).toEqual({ ok: false, reason: 'unavailable' });
  });
});

describe('markdownNow', () => {
  it('renders short texts at once and leaves longer ones to the worker', () => {
    expect(markdownNow('**hi**')).toEqual({ kind: 'html', html: '<p><strong>hi</strong></p>\n' });
    expect(markdownNow('x'.repeat(SYNC_LIMIT + 1))).toBeNull();
    expect(markdownNow('x'.repeat(MARKDOWN_LIMIT + 1))).toEqual({ kind: 'fallback', reason: 'long' });
  });

  it('builds one plain paragraph without marked, as marked and DOMPurify would', () => {
    // Words and plain punctuation, drawn at random: whenever the shortcut takes a text, its DOM is
    // the one the full path gives.
    const alphabet = ['a', 'Z', 'é', 'ж', '7', ' ', ',', '.', ';', ':', "'", '"', '?', '(', ')', '%', '/'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let taken = 0;
    for (let i = 0; i < 400; i++) {
      let text = 'Go';
      const n = Math.floor(next() * 40);
      for (let j = 0; j < n; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      const plain = plainParagraph(text);
      if (plain === null) continue;
      taken += 1;
      expect(dom(plain).innerHTML, text).toBe(dom(renderMarkdown(text)).innerHTML);
    }
    expect(taken).toBeGreaterThan(300);
    expect(plainParagraph('continue please')).toBe('<p>continue please</p>\n');
    expect(plainParagraph(`it's "quoted" (yes)`)).toBe('<p>it&#39;s &quot;quoted&quot; (yes)</p>\n');
  });

  it('leaves anything that might be markup to marked', () => {
    for (const text of ['1. one', '- a', '+ a', '# h', '> q', 'a *b*', 'a _b_', 'a `c`', 'a [l](u)', 'a ~~s~~', 'a <b>', 'a &amp; b',
      'see www.x.org', 'at http://x.org', 'mail a@b.org', 'two  ', 'line\nbreak', '    code', 'a\\b', 'x'.repeat(SYNC_LIMIT + 1), '']) {
      expect(plainParagraph(text), text).toBeNull();
    }
  });

  it('never throws, whatever marked does with a short text', () => {
    for (const text of ['>'.repeat(SYNC_LIMIT), '1. '.repeat(SYNC_LIMIT / 3), '*a'.repeat(SYNC_LIMIT / 2), '[' .repeat(SYNC_LIMIT)]) {
      const t0 = performance.now();
      expect(() => markdownNow(text)).not.toThrow();
      expect(since(t0)).toBeLessThan(50);
    }
  });

  it('keeps every XSS payload inert on the synchronous path', () => {
    for (const payload of XSS) {
      const out = markdownNow(payload);
      expect(out?.kind).toBe('html');
      expectInert(dom(out?.kind === 'html' ? out.html : ''));
      expectInert(dom(renderMarkdown(payload)));
    }
  });

  it('caches worker results, bounded, and forgets on request', async () => {
    let parses = 0;
    setMarkdownParser(() => ({
      async parse(text) {
        parses += 1;
        return { ok: true, html: `<p>${text.length}</p>` };
      },
      dispose() {},
    }));
    try {
      const text = 'y'.repeat(SYNC_LIMIT + 1);
      await markdownLater(text);
      await markdownLater(text);
      expect(parses).toBe(1);
      forgetMarkdown(text);
      await markdownLater(text);
      expect(parses).toBe(2);
      for (let i = 0; i < 600; i++) await markdownLater(`${text}${i}`);
      await markdownLater(text);
      expect(parses).toBe(603); // evicted by the 600 newer texts
    } finally {
      setMarkdownParser(null);
    }
  });
});

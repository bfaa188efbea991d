// Markdown for transcript text: `marked` to HTML, then DOMPurify over everything.
//
// Transcripts hold arbitrary text, so raw HTML in a message is shown as text (never parsed),
// links keep their words but lose their target (nothing may navigate the webview or open a
// browser), images become their alt text, and DOMPurify strips whatever might still slip through.
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/** Longer texts are shown escaped in a `<pre>`: rendering megabytes of markdown freezes the view. */
export const MARKDOWN_LIMIT = 200_000;

const FORBID_TAGS = [
  'img', 'picture', 'source', 'video', 'audio', 'track', 'iframe', 'frame', 'object', 'embed',
  'form', 'input', 'button', 'textarea', 'select', 'option', 'style', 'link', 'meta', 'base',
  'svg', 'math', 'template', 'dialog', 'script', 'noscript',
];
const FORBID_ATTR = ['href', 'src', 'srcset', 'xlink:href', 'action', 'formaction', 'target', 'style', 'id', 'name', 'ping'];

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      return `<span class="md-link" title="${escapeHtml(href)}">${inner}</span>`;
    },
    image({ text }: Tokens.Image) {
      return `<span class="md-image">[image: ${escapeHtml(text)}]</span>`;
    },
  },
});

let purifier: ReturnType<typeof DOMPurify> | null = null;

function purify(html: string): string {
  if (!purifier) {
    purifier = DOMPurify(window);
    purifier.addHook('afterSanitizeAttributes', (node) => {
      // Belt and braces: no element keeps anything that could navigate or load.
      if (node instanceof Element) {
        for (const attr of FORBID_ATTR) node.removeAttribute(attr);
        for (const { name } of Array.from(node.attributes)) {
          if (name.toLowerCase().startsWith('on')) node.removeAttribute(name);
        }
      }
    });
  }
  return purifier.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}

/** Sanitized HTML for a markdown text; safe for `{@html}`. */
export function renderMarkdown(text: string): string {
  if (text.length > MARKDOWN_LIMIT) return purify(`<pre>${escapeHtml(text)}</pre>`);
  return purify(marked.parse(text) as string);
}

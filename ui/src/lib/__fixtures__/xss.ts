// Test fixtures: markdown that would run script, load or navigate if rendered as it is, and the
// check that a rendering of it is inert. Shared by the markdown and the Markdown component tests.
import { expect } from 'vitest';

/** Payloads: script, event handlers, javascript:/file: links, remote images, refresh, entity-encoded schemes. */
export const XSS = [
  '<img src=x onerror="window.pwned=1">',
  '<svg><script>window.pwned=1</script></svg>',
  '[x](javascript:alert(1))',
  '[x](file:///etc/passwd)',
  '![x](http://remote/img.png)',
  '<meta http-equiv="refresh" content="0;url=http://remote/">',
  '[x](jav&#x61;script:alert(1))',
  '<a href="jav&#x61;script:alert(1)">a</a>',
];

/** No attribute or element in `root` can run script, load or navigate. */
export function expectInert(root: HTMLElement) {
  expect(root.querySelector('script, img, svg, meta, a, iframe, object, embed, link, style')).toBeNull();
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const { name } of Array.from(el.attributes)) {
      expect(['href', 'src', 'srcset', 'style', 'action', 'formaction'].includes(name) || name.startsWith('on'), `${el.tagName} ${name}`).toBe(false);
    }
  }
  expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
}

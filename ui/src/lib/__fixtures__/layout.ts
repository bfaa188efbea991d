// jsdom lays nothing out and has no ResizeObserver, which virtua (the virtual lists) needs. This
// stand-in reports every observed element as `height` px tall (so a list's viewport shows about
// `height / 40` rows, virtua's estimate), and scrolling calls are accepted.
const installed = { height: 0 };

class FakeResizeObserver {
  private readonly cb: ResizeObserverCallback;
  constructor(cb: ResizeObserverCallback) {
    this.cb = cb;
  }
  observe(target: Element): void {
    const h = installed.height;
    const entry = { target, contentRect: { width: 800, height: h, top: 0, left: 0, bottom: h, right: 800, x: 0, y: 0 } };
    queueMicrotask(() => this.cb([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver));
  }
  unobserve(): void {}
  disconnect(): void {}
}

/** Gives virtual lists a viewport of `height` px (default: tall enough to show every test row). */
export function installLayout(height = 100_000): void {
  installed.height = height;
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver = FakeResizeObserver;
  if (typeof window !== 'undefined') {
    (window as { ResizeObserver?: unknown }).ResizeObserver = FakeResizeObserver;
    Element.prototype.scrollTo ??= function (this: Element, opts?: ScrollToOptions | number) {
      if (typeof opts === 'object' && opts && typeof opts.top === 'number') (this as HTMLElement).scrollTop = opts.top;
    } as Element['scrollTo'];
  }
}

// Errors nothing caught: a render that failed (a boundary's `onerror`), a window `error` event, an
// unhandled rejection. Each is told in the window's error banner and recorded in
// `window.__ccdeskErrors` (created at startup by main.ts; the GUI end-to-end suite asserts it is
// empty after every spec).
import { describeError } from './errors';

declare global {
  interface Window {
    /** Every uncaught error since startup, in words. */
    __ccdeskErrors?: string[];
  }
}

/** Messages browsers send as `error` events that are no fault (a resize observer skipped a frame). */
const BENIGN = /^ResizeObserver loop (completed with undelivered notifications|limit exceeded)/;

/** An uncaught error in words (an Error's message, a command error's message, else its text). */
export function uncaughtText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error instanceof ErrorEvent) return error.error !== undefined && error.error !== null ? uncaughtText(error.error) : error.message;
  if (typeof PromiseRejectionEvent !== 'undefined' && error instanceof PromiseRejectionEvent) return uncaughtText(error.reason);
  return describeError(error);
}

/**
 * Records an uncaught error in `window.__ccdeskErrors`; returns it in words, or null when it is
 * benign (then nothing is recorded).
 */
export function recordUncaught(error: unknown): string | null {
  const text = uncaughtText(error);
  if (BENIGN.test(text)) return null;
  if (typeof window !== 'undefined' && Array.isArray(window.__ccdeskErrors)) window.__ccdeskErrors.push(text);
  return text;
}

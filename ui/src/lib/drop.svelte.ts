// Files and folders dragged onto the window: where they were dropped (a prompt box or anywhere
// else) and what that does, decided by the backend's `classify_drop`. The window's drag-and-drop
// events reach `DropRouter.handle` exactly as ipc.ts delivers them.
import type { Api } from '../ipc';
import { describeError } from './errors';
import type { DragDropEvent, DropOutcome } from './types';

/** The attribute that marks a prompt box as a drop target for `@path` mentions. */
export const PROMPT_DROP_ATTR = 'data-drop';

/**
 * The prompt box under `el`, if any. A disabled or read-only box (a session that cannot be
 * resumed) takes nothing: the drop counts as one on the window.
 */
export function promptBoxAt(el: Element | null): HTMLTextAreaElement | HTMLInputElement | null {
  const marked = el?.closest?.(`[${PROMPT_DROP_ATTR}="prompt"]`) ?? null;
  const box =
    marked instanceof HTMLTextAreaElement || marked instanceof HTMLInputElement
      ? marked
      : (marked?.querySelector<HTMLTextAreaElement | HTMLInputElement>('textarea, input') ?? null);
  if (!box || box.disabled || box.readOnly) return null;
  return box;
}

/** Inserts `text` at the cursor of `box` (spaced from its neighbours) and tells Svelte's bindings. */
export function insertAtCursor(box: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  const before = box.value.slice(0, start);
  const after = box.value.slice(end);
  const lead = before === '' || /\s$/.test(before) ? '' : ' ';
  const tail = /^\s/.test(after) ? '' : ' ';
  box.value = before + lead + text + tail + after;
  const cursor = (before + lead + text + tail).length;
  box.setSelectionRange?.(cursor, cursor);
  box.dispatchEvent(new Event('input', { bubbles: true }));
  box.focus();
}

export interface DropHandlers {
  /** A folder was dropped on the window: offer a new session there. */
  folder(path: string): void;
  /** Nothing happens, for this reason. */
  rejected(message: string): void;
}

/**
 * Follows one drag at a time: `dragging` is true while something is over the window, `overPrompt`
 * while it is over a prompt box.
 */
export class DropRouter {
  dragging = $state(false);
  overPrompt = $state(false);

  constructor(
    private readonly api: Pick<Api, 'classifyDrop'>,
    private readonly handlers: DropHandlers,
    /** The element at a point in CSS pixels (document.elementFromPoint in the app). */
    private readonly elementAt: (x: number, y: number) => Element | null,
    private readonly pixelRatio: () => number = () => 1,
  ) {}

  private at(event: DragDropEvent): Element | null {
    if (!event.position) return null;
    const r = this.pixelRatio() || 1;
    return this.elementAt(event.position.x / r, event.position.y / r);
  }

  async handle(event: DragDropEvent): Promise<DropOutcome | null> {
    if (event.type === 'leave') {
      this.dragging = false;
      this.overPrompt = false;
      return null;
    }
    const box = promptBoxAt(this.at(event));
    if (event.type !== 'drop') {
      this.dragging = true;
      this.overPrompt = box !== null;
      return null;
    }
    this.dragging = false;
    this.overPrompt = false;
    let outcome: DropOutcome;
    try {
      outcome = await this.api.classifyDrop(event.paths, box ? 'promptBox' : 'window');
    } catch (e) {
      this.handlers.rejected(describeError(e));
      return null;
    }
    if (outcome.kind === 'folder') this.handlers.folder(outcome.path);
    else if (outcome.kind === 'mention') {
      if (box) insertAtCursor(box, outcome.text);
    } else this.handlers.rejected(outcome.message);
    return outcome;
  }
}

// ccdesk's own memory of sessions, as the backend last sent it: names, pins and each session's run
// history (`Registry`). Loaded once at start (and with each listing), then kept current by
// `registry://changed`, which the backend sends with the registry after every save (a rename, a
// pin, a run's new state). Answers and events are taken in the order they were asked for or
// arrived, so an older answer never overwrites a newer registry. No DOM here.
import type { Api } from '../../ipc';
import { cleanName, nameOf, normalizeRegistry } from '../registry';
import type { Registry } from '../types';

export class RegistryStore {
  /** The registry as last taken; null until the first answer. Replaced whole on each. */
  registry: Registry | null = $state(null);
  /** Tickets: one per request or event; an answer is taken unless a later one was taken already. */
  private asked = 0;
  private taken = 0;
  private readonly api: Api;
  private readonly report: (e: unknown) => void;

  constructor(api: Api, report: (e: unknown) => void) {
    this.api = api;
    this.report = report;
  }

  /** Takes every `registry://changed` payload from now on; resolves to the function that stops it. */
  listen(): Promise<() => void> {
    return this.api.onRegistryChanged((r) => this.take(++this.asked, r));
  }

  /** Reloads the registry (names, pins, run history). */
  async load(): Promise<void> {
    const ticket = ++this.asked;
    try {
      this.take(ticket, await this.api.registry());
    } catch (e) {
      this.report(e);
    }
  }

  /**
   * Takes a registry answer (or an event's payload, read with `normalizeRegistry`) unless one
   * asked for, or arrived, later was taken already.
   */
  private take(ticket: number, value: unknown): void {
    if (ticket < this.taken) return;
    this.taken = ticket;
    this.registry = normalizeRegistry(value);
  }

  /**
   * Names session `id` (a blank name removes the name, and the title shows again). False, with the
   * error reported, when the backend refused.
   */
  async rename(id: string, name: string): Promise<boolean> {
    const clean = cleanName(name);
    if (clean === (nameOf(this.registry, id) ?? '')) return true;
    const ticket = ++this.asked;
    try {
      this.take(ticket, await this.api.renameSession(id, clean));
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** Pins (or unpins) session `id` at the top of its project. */
  async pin(id: string, pinned: boolean): Promise<boolean> {
    const ticket = ++this.asked;
    try {
      this.take(ticket, await this.api.pinSession(id, pinned));
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** The name the user gave session `id`, if any. */
  nameOf(id: string | null | undefined): string | null {
    return nameOf(this.registry, id);
  }
}

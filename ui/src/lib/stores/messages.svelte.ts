// What the window tells the user in its banners: app-level problems in words (failed commands,
// uncaught errors) and the backend's notices (said once, until dismissed; one dismissed before,
// this start or an earlier one, is not shown again: `hidden`). Every store reports its failures
// here. No DOM here.
import { describeError } from '../errors';

export class Messages {
  /** App-level problems in words, oldest first, each once; shown in the top banner. */
  errors: string[] = $state([]);
  /** The notices said since the last dismissal, each once, oldest first. */
  private said: string[] = $state([]);
  private readonly hidden: (text: string) => boolean;
  /**
   * Things the backend wants the user told once (`app_info().notices`, the settings'), until
   * dismissed; not those `hidden` (dismissed before).
   */
  readonly notices: string[] = $derived(this.said.filter((t) => !this.hidden(t)));

  /** `hidden`: the notices not to show (the user dismissed them before); none by default. */
  constructor(hidden: (text: string) => boolean = () => false) {
    this.hidden = hidden;
  }

  /** A failure in the error banner (once). */
  report(e: unknown): void {
    this.reportText(describeError(e));
  }

  /** A message in the error banner (once). */
  reportText(msg: string): void {
    if (!this.errors.includes(msg)) this.errors.push(msg);
  }

  /** A notice for the notice banner (once). */
  notice(text: string): void {
    if (!this.said.includes(text)) this.said.push(text);
  }

  dismissErrors(): void {
    this.errors = [];
  }

  /** Clears the notice banner; returns the notices that were shown (to be kept dismissed). */
  dismissNotices(): string[] {
    const shown = this.notices;
    this.said = [];
    return shown;
  }
}

// What the window tells the user in its banners: app-level problems in words (failed commands,
// uncaught errors) and the backend's notices (said once, until dismissed). Every store reports
// its failures here. No DOM here.
import { describeError } from '../errors';

export class Messages {
  /** App-level problems in words, oldest first, each once; shown in the top banner. */
  errors: string[] = $state([]);
  /** Things the backend wants the user told once (`app_info().notices`, the settings'), until dismissed. */
  notices: string[] = $state([]);

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
    if (!this.notices.includes(text)) this.notices.push(text);
  }

  dismissErrors(): void {
    this.errors = [];
  }

  dismissNotices(): void {
    this.notices = [];
  }
}

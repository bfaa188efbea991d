// The settings in force (defaults for new sessions, the theme, ...) and what the backend says
// about itself (`app_info`: version, config dir, where `claude` is, the pool's size). Notices
// that come with either go to the notice banner. No DOM here.
import type { Api } from '../../ipc';
import type { AppInfo, Settings } from '../types';
import type { Messages } from './messages.svelte';

export class SettingsStore {
  /** The settings in force; null until loaded. Replaced whole when saved. */
  settings: Settings | null = $state(null);
  /** The backend's `app_info`; null until loaded. */
  info: AppInfo | null = $state(null);
  private readonly api: Api;
  private readonly messages: Messages;

  constructor(api: Api, messages: Messages) {
    this.api = api;
    this.messages = messages;
  }

  async loadSettings(): Promise<void> {
    try {
      const view = await this.api.settings();
      this.settings = view.settings;
      for (const n of view.notices) this.messages.notice(n);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /** Loads `app_info`; resolves to it (null when asking failed, which is reported). */
  async loadInfo(): Promise<AppInfo | null> {
    try {
      this.info = await this.api.appInfo();
      // Blank ones, or anything but text, are not said.
      for (const n of this.info.notices ?? []) if (typeof n === 'string' && n.trim() !== '') this.messages.notice(n);
      return this.info;
    } catch (e) {
      this.messages.report(e);
      return null;
    }
  }
}

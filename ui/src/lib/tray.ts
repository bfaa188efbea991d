// The tray menu's item ids, as the backend makes them (`ccdesk_core::tray::TrayAction::id`):
// used as a stable attribute of the window's copy of the menu.
import type { TrayAction } from './types';

export function trayActionId(action: TrayAction): string {
  switch (action.kind) {
    case 'showWindow':
      return 'show';
    case 'newSessionInFolder':
      return 'new-session';
    case 'quit':
      return 'quit';
    case 'openLive':
      return `live:${action.runId}`;
    case 'resume':
      return `resume:${action.sessionId}`;
  }
}

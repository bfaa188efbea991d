// The backend contract. Every shape a command or event carries is generated from the Rust types
// into `../bindings.ts` (by tauri-specta; `CCDESK_UPDATE_BINDINGS=1 cargo test -p ccdesk --test
// bindings`), so a Rust change the UI does not follow fails `npm run check`. This file re-exports
// them under the names the UI uses and adds the few shapes that are the UI's own. Where serde reads
// a type differently from how it writes it (fields with defaults), bindings.ts has both phases;
// the UI takes the `_Serialize` one, what the backend sends (which the backend also accepts), and
// the `_Deserialize` one for what only the UI sends (a start request, a permission answer).
// Pure types, no Tauri import: every module and test can use them.

export type {
  AppError_Serialize as AppError,
  AppInfo_Serialize as AppInfo,
  Block,
  ClaudeDiscovery_Serialize as ClaudeDiscovery,
  ClaudeSource,
  DropOutcome,
  DropTarget,
  Entry_Serialize as Entry,
  ErrorKind_Serialize as ErrorKind,
  FoundClaude_Serialize as FoundClaude,
  IndexChanged_Serialize as IndexChanged,
  InterruptOutcome,
  NotResumableReason,
  OpenRequest,
  PagedEntry_Serialize as PagedEntry,
  PermissionAnswer_Deserialize as PermissionAnswer,
  PermissionMode,
  PermissionRequest_Serialize as PermissionRequest,
  PoolConfig_Serialize as PoolConfig,
  PoolSnapshot_Serialize as PoolSnapshot,
  ProjectEntry_Serialize as ProjectEntry,
  ProjectGroup_Serialize as ProjectGroup,
  ProjectIndex_Serialize as ProjectIndex,
  SearchHit_Serialize as SearchHit,
  SearchIndexing,
  SearchResults_Serialize as SearchResults,
  SessionHits_Serialize as SessionHits,
  Registry_Serialize as Registry,
  RegistryEntry_Serialize as RegistryEntry,
  Resumability,
  RunExit_Serialize as RunExit,
  RunId,
  RunRecord,
  SessionBrief_Serialize as SessionBrief,
  SessionDetail_Serialize as SessionDetail,
  SessionEvent_Serialize as SessionEvent,
  SessionId,
  SessionIndex_Serialize as SessionIndex,
  SessionInfo_Serialize as SessionInfo,
  SessionState,
  SessionSummary_Serialize as SessionSummary,
  Settings_Serialize as Settings,
  SettingsView_Serialize as SettingsView,
  StartRequest_Deserialize as StartRequest,
  Started,
  Theme,
  TitleSource,
  Tokens,
  ToolPreview_Serialize as ToolPreview,
  TranscriptPage_Serialize as TranscriptPage,
  TrayAction,
  TrayItem,
  TrayMenu,
  RestoreReport,
  VaultStats,
  UsageBy,
  UsageReport,
  SessionChanges,
  RewindOutcome,
  AgentListing_Serialize as AgentListing,
  CliAgent_Serialize as CliAgent,
  AgentActivity,
  Elsewhere,
  TurnChanges,
  FileChange,
  UsageRow,
  UsageTotals,
  ExportFormat,
  ExportStats,
} from '../bindings';

import type { AppError_Serialize as AppError, Entry_Serialize as Entry, Resolution, SessionState } from '../bindings';

/** How every command rejects (`kind` plus that kind's data, and `message`). */
export type CommandError = AppError;

/** A transcript line that is a message (user, assistant, system, ...). */
export type MessageEntry = Extract<Entry, { entry: 'message' }>;

/** A transcript line too large to decode (over 8 MiB): its size and its first 2 KB as text. */
export type TooLargeEntry = Extract<Entry, { entry: 'tooLarge' }>;

/** Lifecycle states of a live session (`SessionInfo.state`). */
export type SessionStateName = SessionState['state'];

/** Why a permission prompt went away. */
export type PermissionResolution = Resolution;

/** A stream-json object as the CLI printed it: open-ended, every field optional. */
export type CliLine = Record<string, unknown>;

/** Which lines `show_session` serves: `from` absent is the tail (the last `limit` lines). */
export interface PageRequest {
  /** First line index; null or absent: the last `limit` lines. */
  from?: number | null;
  /** How many lines (default 200, at most 1000). */
  limit?: number | null;
}

/** A window drag-and-drop event as the webview reports it (position in physical pixels). */
export interface DragDropEvent {
  type: 'enter' | 'over' | 'drop' | 'leave';
  paths: string[];
  position: { x: number; y: number } | null;
}

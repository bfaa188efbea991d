// The backend contract: JSON shapes of the Tauri commands and run events (camelCase).
// Pure types, no Tauri import: every module and test can use them.

export type TitleSource = 'custom' | 'ai' | 'summary' | 'prompt' | 'none';

export type NotResumableReason = 'projectDirMissing' | 'noCwd' | 'noConversation' | 'unreadable';

export type Resumability =
  | { state: 'resumable' }
  | { state: 'notResumable'; reason: NotResumableReason | string; message: string };

export interface SessionSummary {
  id: string;
  projectPath: string | null;
  dirName: string;
  transcriptPath: string;
  title: string;
  titleSource: TitleSource | string;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  lastActivityMs: number | null;
  gitBranch: string | null;
  cliVersion: string | null;
  model: string | null;
  sizeBytes: number;
  sidechainCount: number;
  resumability: Resumability;
}

export interface ProjectGroup {
  projectPath: string | null;
  dirName: string;
  lastActivityMs: number | null;
  sessions: SessionSummary[];
}

export interface SessionIndex {
  configDir: string;
  projects: ProjectGroup[];
  scannedFiles: number;
  errors: string[];
}

/** One content block of a transcript message. */
export type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | unknown[]; is_error: boolean }
  | { type: 'other'; raw: unknown };

export interface MessageEntry {
  entry: 'message';
  kind: 'user' | 'assistant' | 'system' | 'attachment' | 'progress' | string;
  subtype: string | null;
  uuid: string | null;
  parentUuid: string | null;
  isSidechain: boolean;
  isMeta: boolean;
  isCompactSummary: boolean;
  sessionId: string | null;
  cwd: string | null;
  gitBranch: string | null;
  version: string | null;
  timestamp: string | null;
  role: string | null;
  model: string | null;
  content: string | Block[];
  /** The CLI's flag on its stand-in message for a failed API call (optional: not every backend sends it). */
  isApiErrorMessage?: boolean;
  /** `compact_boundary` lines: how and from what size the conversation was compacted (optional). */
  compactMetadata?: { trigger?: string | null; preTokens?: number | null } | null;
}

export type Entry =
  | MessageEntry
  | { entry: 'summary'; summary: string }
  | { entry: 'customTitle'; title: string }
  | { entry: 'aiTitle'; title: string }
  | { entry: 'other'; kind: string };

export interface Transcript {
  entries: Entry[];
  malformedLines: number;
  incompleteTail: boolean;
}

export interface SessionDetail {
  summary: SessionSummary;
  transcript: Transcript;
}

export interface RunRequest {
  cwd: string;
  prompt: string;
  resume?: string | null;
  forkSession?: boolean;
  model?: string | null;
  permissionMode?: string | null;
}

export interface RunHandle {
  runId: string;
}

/** A stream-json object as the CLI printed it: open-ended, every field optional. */
export type CliLine = Record<string, unknown>;

export type RunEvent =
  | { event: 'cli'; line: CliLine }
  | { event: 'malformed'; preview: string }
  | { event: 'exited'; code: number | null; stderrTail: string; errors: string[]; sessionId: string | null };

export interface AppInfo {
  configDir: string;
  claude: { path: string | null; error: string | null };
  version: string;
}

/** How every command rejects. */
export interface CommandError {
  kind: string;
  message: string;
}

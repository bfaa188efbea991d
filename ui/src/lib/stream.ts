// Folds a live session's events (the CLI's stream-json lines, forwarded by the backend, and the
// backend's own state, permission, metrics and warning events) into what the run view shows:
// prompts, assistant messages made of blocks, tool results, notices, results, the session's state
// and its pending permission prompts.
//
// Partial text grows as `stream_event` deltas arrive; a tool call appears at its
// `content_block_start`; the final `assistant` line of a block (one line per block, several per
// `message.id`) replaces the partial block it completes instead of adding a copy.
//
// The session's state comes from the backend's `state` events; until the first one (or without
// any, e.g. in replays of bare CLI captures) it is inferred from the CLI lines.
//
// `applyRunEvent` mutates the state it is given, always through the state's own containers, so a
// Svelte `$state` proxy passed in updates the view block by block. It never throws on odd input.
import { isObject, num, str } from './json';
import { isStaleInfo } from './sessionState';
import { compactionText, isApiErrorText } from './transcript';
import type { CliLine, PermissionRequest, SessionEvent, SessionInfo, SessionStateName } from './types';

export type RunStatus = SessionStateName;

/** The user line the CLI writes when a turn is interrupted (also "… for tool use]"). */
export const INTERRUPT_MARKER = '[Request interrupted by user';

/** True for the CLI's interrupt marker line, which is shown as a marker, not as a message. */
export function isInterruptMarker(text: string): boolean {
  return text.trim().startsWith(INTERRUPT_MARKER);
}

export type LiveBlock =
  | { type: 'text'; text: string; final: boolean }
  | { type: 'thinking'; thinking: string; final: boolean }
  | { type: 'tool_use'; id: string; name: string; input: unknown; partialJson: string; final: boolean }
  | { type: 'other'; raw: unknown; final: boolean };

export interface ToolResult {
  content: unknown;
  isError: boolean;
}

export interface RunResult {
  subtype: string;
  isError: boolean;
  text: string;
  errors: string[];
  costUsd: number | null;
  durationMs: number | null;
  numTurns: number | null;
  /** The turn was interrupted by the user (its error result is not a failure). */
  interrupted: boolean;
}

/** `parentToolUseId` set means subagent traffic. */
export type RunItem =
  | { kind: 'prompt'; key: string; text: string }
  | {
      kind: 'assistant';
      key: string;
      messageId: string;
      parentToolUseId: string | null;
      model: string | null;
      /** The CLI's own stand-in message (model `<synthetic>`), e.g. for an API error. */
      synthetic: boolean;
      /** A stand-in for a failed API call (the line's `error`, or "API Error: …" text). */
      error: boolean;
      blocks: LiveBlock[];
    }
  | { kind: 'user'; key: string; parentToolUseId: string | null; replay: boolean; text: string }
  | { kind: 'notice'; key: string; tone: 'info' | 'warn' | 'error'; text: string; code?: string }
  | { kind: 'interrupt'; key: string; text: string }
  | { kind: 'result'; key: string; result: RunResult };

export interface RunState {
  status: RunStatus;
  /** Failed only: the backend's kind and message (or the command error that stopped the start). */
  failure: { kind: string; message: string } | null;
  /** The backend's latest view of the session (state and metrics), once it sent one. */
  info: SessionInfo | null;
  /** `state` events are the source of the status once one arrived. */
  stateFromBackend: boolean;
  /** Permission prompts waiting for the user, oldest first. */
  permissions: PermissionRequest[];
  /** The last prompt sent (what Retry sends again). */
  lastPrompt: string | null;
  /** The running turn was interrupted (its error result is expected). */
  interruptedTurn: boolean;
  /** Errors of interrupted turns' results, not shown again when the process exits. */
  ignoredErrors: string[];
  sessionId: string | null;
  model: string | null;
  cwd: string | null;
  items: RunItem[];
  /** Tool results by `tool_use` id, shown under their call. */
  toolResults: Record<string, ToolResult>;
  /** Problems to show in words: failed results, `exited.errors`, a bad exit code. */
  errors: string[];
  /** The last process end (a session may outlive several processes). */
  exit: { code: number | null; signal: number | null; stderrTail: string } | null;
  resultCount: number;
  /** Bookkeeping for matching deltas and final lines to blocks. */
  track: {
    seq: number;
    /** Current message id per stream (`''` = main thread, else the parent tool use id). */
    messageByStream: Record<string, string>;
    /** Position in `items` of each assistant message id. */
    itemByMessage: Record<string, number>;
    /** Position in the message's `blocks` of `<messageId>#<stream index>`. */
    blockByIndex: Record<string, number>;
  };
}

export function createRunState(): RunState {
  return {
    status: 'connecting',
    failure: null,
    info: null,
    stateFromBackend: false,
    permissions: [],
    lastPrompt: null,
    interruptedTurn: false,
    ignoredErrors: [],
    sessionId: null,
    model: null,
    cwd: null,
    items: [],
    toolResults: {},
    errors: [],
    exit: null,
    resultCount: 0,
    track: { seq: 0, messageByStream: {}, itemByMessage: {}, blockByIndex: {} },
  };
}

/** Folds a whole list of events (tests, replays). */
export function foldRunEvents(events: SessionEvent[], state: RunState = createRunState()): RunState {
  for (const ev of events) applyRunEvent(state, ev);
  return state;
}

/**
 * Records a prompt the user sent (first prompt, follow-up or retry). The session is busy again:
 * at once if its process is idle, after a reconnect if it has ended. Returns the status before,
 * for `undoPrompt` when sending fails.
 */
export function addPrompt(state: RunState, text: string): RunStatus {
  const before = state.status;
  state.items.push({ kind: 'prompt', key: nextKey(state), text });
  state.lastPrompt = text;
  if (state.status === 'ready') state.status = 'streaming';
  else if (state.status === 'closed' || state.status === 'expired' || state.status === 'failed') {
    state.status = 'connecting';
    state.failure = null;
  }
  return before;
}

/** A prompt did not reach the session: its state is as before (the prompt stays in the list). */
export function undoPrompt(state: RunState, before: RunStatus, failure: RunState['failure'] = null): void {
  state.status = before;
  if (failure) state.failure = failure;
}

export function applyRunEvent(state: RunState, ev: SessionEvent): void {
  if (!isObject(ev)) return;
  switch (ev.event) {
    case 'cli':
      if (isObject(ev.line)) applyCliLine(state, ev.line);
      return;
    case 'malformed':
      notice(state, 'warn', `Unreadable output line from claude: ${String(ev.preview ?? '')}`);
      return;
    case 'state':
      if (isObject(ev.info)) applyInfo(state, ev.info, true);
      return;
    case 'metrics':
      if (isObject(ev.info)) applyInfo(state, ev.info, false);
      return;
    case 'permission':
      if (isObject(ev.request) && typeof ev.request.requestId === 'string') {
        if (!state.permissions.some((p) => p.requestId === ev.request.requestId)) state.permissions.push(ev.request);
      }
      return;
    case 'permissionResolved':
      applyResolved(state, ev.requestId, ev.resolution);
      return;
    case 'warning':
      notice(state, 'warn', String(ev.message || ev.code || 'warning'), typeof ev.code === 'string' ? ev.code : undefined);
      return;
    case 'exited':
      applyExited(state, ev);
      return;
    default:
      return;
  }
}

/** The backend's info: metrics always, the state from `state` events (and pending prompts). */
function applyInfo(state: RunState, info: SessionInfo, isState: boolean): void {
  if (isStaleInfo(state.info, info)) return;
  state.info = info;
  if (typeof info.sessionId === 'string' && info.sessionId) state.sessionId = info.sessionId;
  if (!state.model && typeof info.model === 'string') state.model = info.model;
  if (Array.isArray(info.pendingPermissions)) {
    // The snapshot is authoritative: it has every prompt still pending and none answered.
    const known = new Map(state.permissions.map((p) => [p.requestId, p]));
    state.permissions = info.pendingPermissions.map((p) => known.get(p.requestId) ?? p);
  }
  if (!isState || typeof info.state !== 'string') return;
  state.stateFromBackend = true;
  state.status = info.state;
  state.failure = info.state === 'failed'
    ? { kind: info.kind ?? 'failed', message: info.message ?? '' }
    : null;
  if (info.state === 'interrupting') state.interruptedTurn = true;
}

function applyResolved(state: RunState, requestId: unknown, resolution: unknown): void {
  const at = state.permissions.findIndex((p) => p.requestId === requestId);
  if (at < 0) return;
  const [req] = state.permissions.splice(at, 1);
  if (resolution === 'cancelled') notice(state, 'info', `claude withdrew its request to use ${req.displayName || req.toolName}.`);
  else if (resolution === 'abandoned') notice(state, 'info', `The request to use ${req.displayName || req.toolName} was dropped with the turn.`);
}

/** Status inferred from the CLI lines, while the backend has not sent a state. */
function inferStatus(state: RunState, next: RunStatus): void {
  if (!state.stateFromBackend) state.status = next;
}

/** The main thread's assistant text so far (what `run-output` mostly shows). */
export function runText(state: RunState): string {
  const parts: string[] = [];
  for (const item of state.items) {
    if (item.kind !== 'assistant' || item.parentToolUseId) continue;
    for (const b of item.blocks) if (b.type === 'text') parts.push(b.text);
  }
  return parts.join('\n');
}

function applyCliLine(state: RunState, line: CliLine): void {
  const type = str(line.type);
  const wakes = type === 'stream_event' || type === 'assistant' || type === 'user' ||
    (type === 'system' && str(line.subtype) === 'init');
  if (state.status === 'connecting' || (state.status === 'ready' && wakes)) {
    if (type !== 'result' && type !== 'control_response') inferStatus(state, 'streaming');
  }
  switch (type) {
    case 'system':
      return applySystem(state, line);
    case 'stream_event':
      return applyStreamEvent(state, line);
    case 'assistant':
      return applyAssistant(state, line);
    case 'user':
      return applyUser(state, line);
    case 'result':
      return applyResult(state, line);
    default:
      return; // control messages and future types: nothing to show
  }
}

function applySystem(state: RunState, line: CliLine): void {
  switch (str(line.subtype)) {
    case 'init':
      state.sessionId = str(line.session_id) ?? state.sessionId;
      state.model = str(line.model) ?? state.model;
      state.cwd = str(line.cwd) ?? state.cwd;
      return;
    case 'compact_boundary': {
      const meta = isObject(line.compact_metadata) ? line.compact_metadata : {};
      return notice(state, 'info', compactionText({ trigger: str(meta.trigger), preTokens: num(meta.pre_tokens) }));
    }
    case 'permission_denied':
      return notice(state, 'warn', str(line.message) ?? `Permission denied: ${str(line.tool_name) ?? 'tool'}`);
    case 'api_retry':
      return notice(state, 'warn', `API request failed, retrying${errorSuffix(line.error)}`);
    case 'task_started':
      return notice(state, 'info', `Subagent started: ${str(line.description) ?? str(line.task_id) ?? ''}`);
    case 'task_notification':
      return notice(
        state,
        str(line.status) === 'failed' ? 'warn' : 'info',
        `Subagent ${str(line.status) ?? 'update'}: ${str(line.summary) ?? ''}`,
      );
    default:
      return;
  }
}

function applyStreamEvent(state: RunState, line: CliLine): void {
  const ev = line.event;
  if (!isObject(ev)) return;
  const parent = str(line.parent_tool_use_id);
  const stream = parent ?? '';
  const evType = str(ev.type);
  if (evType === 'message_start') {
    const msg = isObject(ev.message) ? ev.message : {};
    const id = str(msg.id) ?? str(line.api_message_id) ?? `stream-${nextKey(state)}`;
    state.track.messageByStream[stream] = id;
    ensureMessage(state, id, parent, str(msg.model));
    return;
  }
  const messageId = str(line.api_message_id) ?? state.track.messageByStream[stream];
  if (messageId === undefined) return;
  const index = typeof ev.index === 'number' ? ev.index : null;
  if (evType === 'content_block_start' && index !== null) {
    const item = ensureMessage(state, messageId, parent, null);
    const block = liveBlock(ev.content_block, false);
    item.blocks.push(block);
    state.track.blockByIndex[`${messageId}#${index}`] = item.blocks.length - 1;
  } else if (evType === 'content_block_delta' && index !== null && isObject(ev.delta)) {
    applyDelta(state, messageId, parent, index, ev.delta);
  }
  // content_block_stop, message_delta, message_stop: the final `assistant` line settles the block.
}

function applyDelta(
  state: RunState,
  messageId: string,
  parent: string | null,
  index: number,
  delta: Record<string, unknown>,
): void {
  const item = ensureMessage(state, messageId, parent, null);
  const key = `${messageId}#${index}`;
  let pos = state.track.blockByIndex[key];
  const dType = str(delta.type);
  if (pos === undefined) {
    // A delta without its start (should not happen): open a block of the delta's kind.
    const kind = dType === 'thinking_delta' ? 'thinking' : dType === 'input_json_delta' ? 'tool_use' : 'text';
    item.blocks.push(liveBlock({ type: kind }, false));
    pos = item.blocks.length - 1;
    state.track.blockByIndex[key] = pos;
  }
  const block = item.blocks[pos];
  if (!block || block.final) return; // the final line already said everything
  if (dType === 'text_delta' && block.type === 'text') {
    block.text += str(delta.text) ?? '';
  } else if (dType === 'thinking_delta' && block.type === 'thinking') {
    block.thinking += str(delta.thinking) ?? '';
  } else if (dType === 'input_json_delta' && block.type === 'tool_use') {
    block.partialJson += str(delta.partial_json) ?? '';
    // A tool's input is an object, complete only once it ends in '}': parsing the whole text
    // at every delta would be quadratic in the input's size (a Write of a large file).
    if (endsWithBrace(block.partialJson)) {
      try {
        block.input = JSON.parse(block.partialJson);
      } catch {
        // incomplete JSON: keep the last complete input
      }
    }
  }
}

/** Whether the last character that is not JSON whitespace is `}`. */
function endsWithBrace(json: string): boolean {
  let i = json.length - 1;
  while (i >= 0 && (json[i] === ' ' || json[i] === '\n' || json[i] === '\r' || json[i] === '\t')) i -= 1;
  return json[i] === '}';
}

function applyAssistant(state: RunState, line: CliLine): void {
  const msg = isObject(line.message) ? line.message : null;
  if (!msg) return;
  const id = str(msg.id) ?? `message-${nextKey(state)}`;
  const model = str(msg.model);
  const item = ensureMessage(state, id, str(line.parent_tool_use_id), model);
  if (model === '<synthetic>') item.synthetic = true;
  const content = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
  if (item.synthetic && (str(line.error) || line.isApiErrorMessage === true ||
    (Array.isArray(content) && content.some((b) => isObject(b) && typeof b.text === 'string' && isApiErrorText(b.text))))) {
    item.error = true;
  }
  if (!Array.isArray(content)) return;
  for (const raw of content) {
    const block = liveBlock(raw, true);
    let at = -1;
    if (block.type === 'tool_use') {
      at = item.blocks.findIndex((b) => b.type === 'tool_use' && b.id === block.id);
    } else if (block.type === 'text' || block.type === 'thinking') {
      at = item.blocks.findIndex((b) => b.type === block.type && !b.final);
    }
    if (at >= 0) item.blocks[at] = block;
    else item.blocks.push(block);
  }
}

function applyUser(state: RunState, line: CliLine): void {
  const msg = isObject(line.message) ? line.message : null;
  if (!msg) return;
  const parent = str(line.parent_tool_use_id);
  const texts: string[] = [];
  if (typeof msg.content === 'string') {
    texts.push(msg.content);
  } else if (Array.isArray(msg.content)) {
    for (const b of msg.content) {
      if (!isObject(b)) continue;
      if (b.type === 'tool_result') {
        const id = str(b.tool_use_id);
        if (id) state.toolResults[id] = { content: b.content ?? '', isError: b.is_error === true };
      } else if (b.type === 'text' && typeof b.text === 'string') {
        texts.push(b.text);
      }
    }
  }
  const text = texts.join('\n');
  if (text.trim() === '') return;
  if (!parent && isInterruptMarker(text)) {
    state.interruptedTurn = true;
    state.items.push({ kind: 'interrupt', key: nextKey(state), text: text.trim() });
    return;
  }
  state.items.push({ kind: 'user', key: nextKey(state), parentToolUseId: parent, replay: line.isReplay === true, text });
}

function applyResult(state: RunState, line: CliLine): void {
  const subtype = str(line.subtype) ?? 'unknown';
  const errors = Array.isArray(line.errors) ? line.errors.filter((e): e is string => typeof e === 'string') : [];
  const isError = line.is_error === true || subtype.startsWith('error');
  // An interrupted turn ends in an error result: expected, not a failure.
  const interrupted = state.interruptedTurn && !str(line.parent_tool_use_id);
  if (interrupted) state.interruptedTurn = false;
  const result: RunResult = {
    subtype,
    isError,
    text: str(line.result) ?? '',
    errors,
    costUsd: num(line.total_cost_usd),
    durationMs: num(line.duration_ms),
    numTurns: num(line.num_turns),
    interrupted: interrupted && isError,
  };
  state.items.push({ kind: 'result', key: nextKey(state), result });
  state.resultCount += 1;
  if (isError && interrupted) {
    state.ignoredErrors.push(...errors, result.text);
  } else if (isError) {
    if (errors.length > 0) state.errors.push(...errors);
    else state.errors.push(result.text || describeSubtype(subtype));
  }
  if (state.status !== 'closed' && state.status !== 'failed' && state.status !== 'expired') inferStatus(state, 'ready');
}

function applyExited(state: RunState, ev: Extract<SessionEvent, { event: 'exited' }>): void {
  const code = typeof ev.code === 'number' ? ev.code : null;
  const signal = typeof ev.signal === 'number' ? ev.signal : null;
  state.exit = { code, signal, stderrTail: typeof ev.stderrTail === 'string' ? ev.stderrTail : '' };
  state.interruptedTurn = false;
  const errors = Array.isArray(ev.errors) ? ev.errors.filter((e) => typeof e === 'string') : [];
  const fresh = errors.filter((e) => !state.errors.includes(e) && !state.ignoredErrors.includes(e));
  state.errors.push(...fresh);
  const failed = (code !== null && code !== 0) || fresh.length > 0;
  if (!state.stateFromBackend) {
    state.status = failed ? 'failed' : 'closed';
    if (failed) {
      const how = signal !== null ? `claude was ended by signal ${signal}` : `claude exited with code ${code ?? 'none'}`;
      state.failure = { kind: 'exited', message: fresh.length > 0 ? `${how}: ${fresh.join('; ')}` : how };
    }
  }
  if (!state.sessionId && typeof ev.sessionId === 'string') state.sessionId = ev.sessionId;
}

function describeSubtype(subtype: string): string {
  switch (subtype) {
    case 'error_max_turns':
      return 'Stopped: the maximum number of turns was reached.';
    case 'error_max_budget_usd':
      return 'Stopped: the budget limit was reached.';
    case 'error_during_execution':
      return 'The run failed while executing.';
    default:
      return `The run ended with an error (${subtype}).`;
  }
}

type AssistantItem = Extract<RunItem, { kind: 'assistant' }>;

/** The assistant item for a message id, created at the end when new. Returns the stored item. */
function ensureMessage(state: RunState, id: string, parent: string | null, model: string | null): AssistantItem {
  const at = state.track.itemByMessage[id];
  const existing = at === undefined ? undefined : state.items[at];
  if (existing && existing.kind === 'assistant') {
    if (model && !existing.model) existing.model = model;
    return existing;
  }
  state.items.push({
    kind: 'assistant',
    key: nextKey(state),
    messageId: id,
    parentToolUseId: parent,
    model,
    synthetic: model === '<synthetic>',
    error: false,
    blocks: [],
  });
  state.track.itemByMessage[id] = state.items.length - 1;
  // Read back from the container: with a reactive proxy, that is the tracked object.
  return state.items[state.items.length - 1] as AssistantItem;
}

function liveBlock(raw: unknown, final: boolean): LiveBlock {
  if (!isObject(raw)) return { type: 'other', raw, final };
  switch (raw.type) {
    case 'text':
      return { type: 'text', text: str(raw.text) ?? '', final };
    case 'thinking':
      return { type: 'thinking', thinking: str(raw.thinking) ?? '', final };
    case 'tool_use':
      return {
        type: 'tool_use',
        id: str(raw.id) ?? '',
        name: str(raw.name) ?? 'tool',
        input: raw.input ?? {},
        partialJson: '',
        final,
      };
    default:
      return { type: 'other', raw, final };
  }
}

function notice(state: RunState, tone: 'info' | 'warn' | 'error', text: string, code?: string): void {
  state.items.push(code ? { kind: 'notice', key: nextKey(state), tone, text, code } : { kind: 'notice', key: nextKey(state), tone, text });
}

function nextKey(state: RunState): string {
  state.track.seq += 1;
  return `k${state.track.seq}`;
}

function errorSuffix(error: unknown): string {
  if (typeof error === 'string' && error) return `: ${error}`;
  if (isObject(error) && typeof error.message === 'string') return `: ${error.message}`;
  return '';
}

// Folds a run's events (the CLI's stream-json lines, forwarded by the backend) into what the live
// view shows: prompts, assistant messages made of blocks, tool results, notices and results.
//
// Partial text grows as `stream_event` deltas arrive; a tool call appears at its
// `content_block_start`; the final `assistant` line of a block (one line per block, several per
// `message.id`) replaces the partial block it completes instead of adding a copy.
//
// `applyRunEvent` mutates the state it is given, always through the state's own containers, so a
// Svelte `$state` proxy passed in updates the view block by block. It never throws on odd input.
import { isObject, num, str } from './json';
import { compactionText, isApiErrorText } from './transcript';
import type { CliLine, RunEvent } from './types';

export type RunStatus = 'connecting' | 'streaming' | 'idle' | 'exited';

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
  | { kind: 'notice'; key: string; tone: 'info' | 'warn' | 'error'; text: string }
  | { kind: 'result'; key: string; result: RunResult };

export interface RunState {
  status: RunStatus;
  sessionId: string | null;
  model: string | null;
  cwd: string | null;
  items: RunItem[];
  /** Tool results by `tool_use` id, shown under their call. */
  toolResults: Record<string, ToolResult>;
  /** Problems to show in words: failed results, `exited.errors`, a bad exit code. */
  errors: string[];
  exit: { code: number | null; stderrTail: string } | null;
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
export function foldRunEvents(events: RunEvent[], state: RunState = createRunState()): RunState {
  for (const ev of events) applyRunEvent(state, ev);
  return state;
}

/** Records a prompt the user sent (first prompt or a follow-up); the run is busy again. */
export function addPrompt(state: RunState, text: string): void {
  state.items.push({ kind: 'prompt', key: nextKey(state), text });
  if (state.status === 'idle') state.status = 'streaming';
}

export function applyRunEvent(state: RunState, ev: RunEvent): void {
  if (!isObject(ev)) return;
  switch (ev.event) {
    case 'cli':
      if (isObject(ev.line)) applyCliLine(state, ev.line);
      return;
    case 'malformed':
      notice(state, 'warn', `Unreadable output line from claude: ${String(ev.preview ?? '')}`);
      return;
    case 'exited':
      applyExited(state, ev);
      return;
    default:
      return;
  }
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
  if (state.status === 'connecting' || (state.status === 'idle' && wakes)) {
    if (type !== 'result') state.status = 'streaming';
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
    try {
      block.input = JSON.parse(block.partialJson);
    } catch {
      // incomplete JSON: keep the last complete input
    }
  }
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
  state.items.push({ kind: 'user', key: nextKey(state), parentToolUseId: parent, replay: line.isReplay === true, text });
}

function applyResult(state: RunState, line: CliLine): void {
  const subtype = str(line.subtype) ?? 'unknown';
  const errors = Array.isArray(line.errors) ? line.errors.filter((e): e is string => typeof e === 'string') : [];
  const isError = line.is_error === true || subtype.startsWith('error');
  const result: RunResult = {
    subtype,
    isError,
    text: str(line.result) ?? '',
    errors,
    costUsd: num(line.total_cost_usd),
    durationMs: num(line.duration_ms),
    numTurns: num(line.num_turns),
  };
  state.items.push({ kind: 'result', key: nextKey(state), result });
  state.resultCount += 1;
  if (isError) {
    if (errors.length > 0) state.errors.push(...errors);
    else state.errors.push(result.text || describeSubtype(subtype));
  }
  if (state.status !== 'exited') state.status = 'idle';
}

function applyExited(state: RunState, ev: Extract<RunEvent, { event: 'exited' }>): void {
  state.status = 'exited';
  const code = typeof ev.code === 'number' ? ev.code : null;
  state.exit = { code, stderrTail: typeof ev.stderrTail === 'string' ? ev.stderrTail : '' };
  const errors = Array.isArray(ev.errors) ? ev.errors.filter((e) => typeof e === 'string') : [];
  for (const e of errors) if (!state.errors.includes(e)) state.errors.push(e);
  if (code !== null && code !== 0 && state.errors.length === 0) {
    state.errors.push(`claude exited with code ${code}`);
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

function notice(state: RunState, tone: 'info' | 'warn' | 'error', text: string): void {
  state.items.push({ kind: 'notice', key: nextKey(state), tone, text });
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

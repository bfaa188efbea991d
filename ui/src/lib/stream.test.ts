import { describe, expect, it } from 'vitest';
import { sampleEvents } from './__fixtures__/load';
import { permissionRequest } from './__fixtures__/data';
import { sessionInfo } from './__fixtures__/fakeApi';
import {
  addPrompt,
  applyRunEvent,
  createRunState,
  foldRunEvents,
  runText,
  undoPrompt,
  type LiveBlock,
  type RunItem,
  type RunState,
} from './stream';
import type { CliLine, SessionEvent } from './types';

const V330 = 'local-cli-2.1.330/stream/';
const V112 = 'local-cli-2.1.112/stream/';
const ALL_SAMPLES = [
  `${V330}tool_use_partial_messages.stream.jsonl`,
  `${V330}subagent_background_two_results.stream.jsonl`,
  `${V330}thinking.stream.jsonl`,
  `${V330}api_error_400.stream.jsonl`,
  `${V330}resume_unknown_session.stream.jsonl`,
  `${V330}permission_denied.stream.jsonl`,
  `${V330}compact_resume.stream.jsonl`,
  `${V112}tool_use_partial_messages.stream.jsonl`,
  `${V112}subagent_task.stream.jsonl`,
  `${V112}api_error_400.stream.jsonl`,
];

const cli = (line: CliLine): SessionEvent => ({ event: 'cli', line: line as Extract<SessionEvent, { event: 'cli' }>['line'] });
const assistants = (s: RunState) => s.items.filter((i): i is Extract<RunItem, { kind: 'assistant' }> => i.kind === 'assistant');
const summary = (b: LiveBlock) =>
  b.type === 'text' ? `text:${b.text}` : b.type === 'thinking' ? `thinking:${b.thinking}` : b.type === 'tool_use' ? `tool:${b.name}:${b.id}` : 'other';

describe('every real capture', () => {
  it.each(ALL_SAMPLES)('%s: each message ends as exactly its final assistant lines, no duplicates', (file) => {
    const events = sampleEvents(file);
    const expected = new Map<string, string[]>();
    for (const ev of events) {
      if (ev.event !== 'cli' || ev.line.type !== 'assistant') continue;
      const msg = ev.line.message as { id: string; content: unknown[] };
      const list = expected.get(msg.id) ?? [];
      for (const raw of msg.content) list.push(summary(foldBlock(raw)));
      expected.set(msg.id, list);
    }
    const state = foldRunEvents(events);
    const got = new Map(assistants(state).map((m) => [m.messageId, m.blocks.map(summary)]));
    expect(got).toEqual(expected);
    for (const m of assistants(state)) for (const b of m.blocks) expect(b.final).toBe(true);
  });

  it.each(ALL_SAMPLES)('%s: ends ready after its last result', (file) => {
    const state = foldRunEvents(sampleEvents(file));
    expect(state.status).toBe('ready');
    expect(state.resultCount).toBeGreaterThan(0);
  });
});

function foldBlock(raw: unknown): LiveBlock {
  const s = foldRunEvents([cli({ type: 'assistant', message: { id: 'x', content: [raw] } })]);
  return assistants(s)[0].blocks[0];
}

describe('partial messages (tool_use_partial_messages, 2.1.330)', () => {
  const events = sampleEvents(`${V330}tool_use_partial_messages.stream.jsonl`);

  it('starts connecting and learns the session from system/init', () => {
    const state = createRunState();
    expect(state.status).toBe('connecting');
    applyRunEvent(state, events[0]);
    expect(state.status).toBe('streaming');
    expect(state.sessionId).toBe('8f03be0a-3403-4269-842c-c018168b05ae');
    expect(state.cwd).toBe('/home/dev/proj');
    expect(state.model).toBe('claude-opus-5-5');
  });

  it('grows the text as deltas arrive', () => {
    const state = createRunState();
    const seen: string[] = [];
    for (const ev of events.slice(0, 7)) {
      applyRunEvent(state, ev);
      seen.push(runText(state));
    }
    expect(seen).toContain("I'll run ");
    expect(seen).toContain("I'll run a command.");
    expect(seen.indexOf("I'll run ")).toBeLessThan(seen.indexOf("I'll run a command."));
  });

  it('shows a tool call as soon as its content_block_start arrives', () => {
    const state = createRunState();
    const startAt = events.findIndex(
      (e) => e.event === 'cli' && (e.line.event as { type?: string } | undefined)?.type === 'content_block_start' &&
        (e.line.event as { content_block: { type: string } }).content_block.type === 'tool_use',
    );
    foldRunEvents(events.slice(0, startAt + 1), state);
    const blocks = assistants(state)[0].blocks;
    expect(blocks.map((b) => b.type)).toEqual(['text', 'tool_use']);
    const tool = blocks[1] as Extract<LiveBlock, { type: 'tool_use' }>;
    expect(tool.name).toBe('Bash');
    expect(tool.final).toBe(false);
    // the input deltas then complete the input before the final line arrives
    foldRunEvents(events.slice(startAt + 1, startAt + 3), state);
    expect(tool.input).toEqual({ command: 'echo hello-from-bash', description: 'Print a greeting' });
  });

  it('ends with two messages, the tool result, one result, ready', () => {
    const state = foldRunEvents(events);
    expect(assistants(state).map((m) => m.blocks.map(summary))).toEqual([
      ["text:I'll run a command.", 'tool:Bash:toolu_mock386bc8060cbb4e28'],
      ['text:Tool said: hello-from-bash'],
    ]);
    expect(state.toolResults.toolu_mock386bc8060cbb4e28).toEqual({ content: 'hello-from-bash', isError: false });
    expect(state.items.filter((i) => i.kind === 'result')).toHaveLength(1);
    expect(state.status).toBe('ready');
    expect(state.errors).toEqual([]);
    expect(runText(state)).toBe("I'll run a command.\nTool said: hello-from-bash");
  });

  it('gives the same result for the 2.1.112 capture (no api_message_id on deltas)', () => {
    const state = foldRunEvents(sampleEvents(`${V112}tool_use_partial_messages.stream.jsonl`));
    expect(runText(state)).toBe("I'll run a command.\nTool said: hello-from-bash");
    expect(assistants(state)).toHaveLength(2);
  });
});

describe('final lines and deltas', () => {
  const start = (id: string, parent: string | null = null): SessionEvent =>
    cli({ type: 'stream_event', parent_tool_use_id: parent, event: { type: 'message_start', message: { id } } });
  const blockStart = (index: number, block: object, parent: string | null = null): SessionEvent =>
    cli({ type: 'stream_event', parent_tool_use_id: parent, event: { type: 'content_block_start', index, content_block: block } });
  const textDelta = (index: number, text: string, parent: string | null = null): SessionEvent =>
    cli({ type: 'stream_event', parent_tool_use_id: parent, event: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } } });
  const final = (id: string, block: object, parent: string | null = null): SessionEvent =>
    cli({ type: 'assistant', parent_tool_use_id: parent, message: { id, content: [block] } });

  it('the final line wins over what the deltas built', () => {
    const s = foldRunEvents([start('m1'), blockStart(0, { type: 'text', text: '' }), textDelta(0, 'Helo'), final('m1', { type: 'text', text: 'Hello' })]);
    expect(assistants(s)[0].blocks.map(summary)).toEqual(['text:Hello']);
  });

  it('ignores a delta that arrives after its final line', () => {
    const s = foldRunEvents([start('m1'), blockStart(0, { type: 'text', text: '' }), textDelta(0, 'Hi'), final('m1', { type: 'text', text: 'Hi' }), textDelta(0, ' again')]);
    expect(runText(s)).toBe('Hi');
  });

  it('matches text, tool, text of one message in order', () => {
    const s = foldRunEvents([
      start('m1'),
      blockStart(0, { type: 'text', text: '' }), textDelta(0, 'a'), final('m1', { type: 'text', text: 'a' }),
      blockStart(1, { type: 'tool_use', id: 't1', name: 'Read', input: {} }),
      blockStart(2, { type: 'text', text: '' }), textDelta(2, 'b'),
      final('m1', { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: '/x' } }),
      final('m1', { type: 'text', text: 'b!' }),
    ]);
    expect(assistants(s)[0].blocks.map(summary)).toEqual(['text:a', 'tool:Read:t1', 'text:b!']);
  });

  it('keeps a subagent stream apart from the main one and marks it', () => {
    const s = foldRunEvents([
      start('main'), blockStart(0, { type: 'text', text: '' }),
      start('sub', 'toolu_1'), blockStart(0, { type: 'text', text: '' }, 'toolu_1'),
      textDelta(0, 'main text'), textDelta(0, 'sub text', 'toolu_1'),
    ]);
    const [main, sub] = assistants(s);
    expect(main.parentToolUseId).toBeNull();
    expect(main.blocks.map(summary)).toEqual(['text:main text']);
    expect(sub.parentToolUseId).toBe('toolu_1');
    expect(sub.blocks.map(summary)).toEqual(['text:sub text']);
    expect(runText(s)).toBe('main text');
  });

  it('opens a block for a delta that had no start', () => {
    const s = foldRunEvents([start('m1'), textDelta(3, 'orphan')]);
    expect(runText(s)).toBe('orphan');
  });

  it('accepts string content in an assistant line', () => {
    const s = foldRunEvents([cli({ type: 'assistant', message: { id: 'm', content: 'plain' } })]);
    expect(runText(s)).toBe('plain');
  });
});

describe('samples without partial messages', () => {
  it('thinking: one message with a thinking block then text', () => {
    const s = foldRunEvents(sampleEvents(`${V330}thinking.stream.jsonl`));
    expect(assistants(s)).toHaveLength(1);
    expect(assistants(s)[0].blocks.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(runText(s)).toBe('Thought about it: 42.');
  });

  it('background subagent: two results, subagent text marked, main text not mixed in', () => {
    const s = foldRunEvents(sampleEvents(`${V330}subagent_background_two_results.stream.jsonl`));
    expect(s.resultCount).toBe(2);
    expect(s.status).toBe('ready');
    const sub = assistants(s).filter((m) => m.parentToolUseId);
    expect(sub).toHaveLength(1);
    expect(sub[0].parentToolUseId).toBe('toolu_mocka7c78919cb694044');
    expect(runText(s)).not.toContain('hi (from subagent)');
    expect(runText(s)).toContain('Hello from the mock API.');
    const tool = assistants(s)[0].blocks[0];
    expect(tool.type === 'tool_use' && tool.name).toBe('Agent');
    const notices = s.items.filter((i) => i.kind === 'notice').map((i) => (i as { text: string }).text);
    expect(notices).toContain('Subagent started: Say hi');
  });

  it('2.1.112 subagent: the subagent prompt shows as a marked user line', () => {
    const s = foldRunEvents(sampleEvents(`${V112}subagent_task.stream.jsonl`));
    const users = s.items.filter((i) => i.kind === 'user');
    expect(users).toEqual([expect.objectContaining({ text: 'SUBAGENT: reply with hi', parentToolUseId: 'toolu_mockab0d84537fd047f5' })]);
    expect(s.toolResults.toolu_mockab0d84537fd047f5.isError).toBe(false);
  });

  it('permission denied: a warning notice and an error tool result', () => {
    const s = foldRunEvents(sampleEvents(`${V330}permission_denied.stream.jsonl`));
    expect(s.items).toContainEqual(expect.objectContaining({ kind: 'notice', tone: 'warn', text: expect.stringContaining('Claude requested permissions') }));
    expect(s.toolResults.toolu_mock433aeba6b3af46a8.isError).toBe(true);
  });

  it('compact resume: a compaction notice and replayed user lines', () => {
    const s = foldRunEvents(sampleEvents(`${V330}compact_resume.stream.jsonl`));
    expect(s.items).toContainEqual(expect.objectContaining({ kind: 'notice', text: 'Conversation compacted (manual, 131 tokens before)' }));
    expect(s.items).toContainEqual(expect.objectContaining({ kind: 'user', replay: true }));
    expect(s.sessionId).toBe('22222222-2222-4333-8444-555555555555');
  });
});

describe('errors', () => {
  it.each([V330, V112])('API error (%s): synthetic message and the error in words', (dir) => {
    const s = foldRunEvents(sampleEvents(`${dir}api_error_400.stream.jsonl`));
    expect(assistants(s)[0].synthetic).toBe(true);
    expect(assistants(s)[0].error).toBe(true);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatch(/^API Error: 400/);
  });

  it('a CLI message that is not an API error is not an error', () => {
    const s = foldRunEvents([cli({ type: 'assistant', message: { id: 'm', model: '<synthetic>', content: [{ type: 'text', text: 'No response requested.' }] } })]);
    expect(assistants(s)[0]).toEqual(expect.objectContaining({ synthetic: true, error: false }));
    const e = foldRunEvents([cli({ type: 'assistant', error: 'rate_limit', message: { id: 'm', model: '<synthetic>', content: [{ type: 'text', text: 'Slow down' }] } })]);
    expect(assistants(e)[0].error).toBe(true);
    const compact = foldRunEvents([cli({ type: 'system', subtype: 'compact_boundary' })]);
    expect(compact.items).toEqual([expect.objectContaining({ kind: 'notice', text: 'Conversation compacted' })]);
  });

  it('unknown resume id: the result errors, no session id, then exit 1 without repeating them', () => {
    const s = foldRunEvents(sampleEvents(`${V330}resume_unknown_session.stream.jsonl`));
    expect(s.errors).toEqual(['No conversation found with session ID: 99999999-2222-4333-8444-555555555555']);
    expect(s.sessionId).toBeNull();
    applyRunEvent(s, { event: 'exited', signal: null, malformedLines: 0, code: 1, stderrTail: '', errors: [...s.errors], sessionId: null });
    expect(s.status).toBe('failed');
    expect(s.errors).toHaveLength(1);
  });

  it('a failed exit with nothing else to say is a failure naming the code', () => {
    const s = foldRunEvents([{ event: 'exited', signal: null, malformedLines: 0, code: 2, stderrTail: 'boom', errors: [], sessionId: null }]);
    expect(s.status).toBe('failed');
    expect(s.failure).toEqual({ kind: 'exited', message: 'claude exited with code 2' });
    expect(s.exit).toEqual({ code: 2, signal: null, stderrTail: 'boom' });
  });

  it('a stopped run (no code) or a clean exit is not an error', () => {
    const stopped = foldRunEvents([{ event: 'exited', signal: null, malformedLines: 0, code: null, stderrTail: '', errors: [], sessionId: null }]);
    expect(stopped.errors).toEqual([]);
    expect(stopped.status).toBe('closed');
    const clean = foldRunEvents([{ event: 'exited', signal: null, malformedLines: 0, code: 0, stderrTail: '', errors: [], sessionId: null }]);
    expect(clean.errors).toEqual([]);
    expect(clean.status).toBe('closed');
    expect(clean.failure).toBeNull();
  });

  it('error result subtypes without text get a sentence', () => {
    const s = foldRunEvents([cli({ type: 'result', subtype: 'error_max_turns', is_error: true })]);
    expect(s.errors).toEqual(['Stopped: the maximum number of turns was reached.']);
  });

  it('reports malformed lines as notices', () => {
    const s = foldRunEvents([{ event: 'malformed', preview: 'not json' }]);
    expect(s.items).toEqual([expect.objectContaining({ kind: 'notice', text: expect.stringContaining('not json') })]);
  });

  it('ignores unknown and odd input', () => {
    const s = foldRunEvents([
      cli({ type: 'control_request', request: {} }),
      cli({ type: 'future_thing' }),
      cli({ type: 'stream_event', event: 'nonsense' }),
      cli({ type: 'assistant' }),
      cli({ type: 'user', message: { content: [{ type: 'image' }] } }),
      { event: 'cli', line: null } as unknown as SessionEvent,
      { event: 'mystery' } as unknown as SessionEvent,
      null as unknown as SessionEvent,
    ]);
    expect(s.items).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});

describe('status', () => {
  it('without backend states: connecting, streaming, ready after each result, streaming on a new turn, closed last', () => {
    const s = createRunState();
    applyRunEvent(s, cli({ type: 'system', subtype: 'init', session_id: 's1' }));
    expect(s.status).toBe('streaming');
    applyRunEvent(s, cli({ type: 'result', subtype: 'success', is_error: false, result: 'ok' }));
    expect(s.status).toBe('ready');
    applyRunEvent(s, cli({ type: 'system', subtype: 'background_tasks_changed' }));
    expect(s.status).toBe('ready');
    applyRunEvent(s, cli({ type: 'assistant', message: { id: 'm2', content: [{ type: 'text', text: 'more' }] } }));
    expect(s.status).toBe('streaming');
    applyRunEvent(s, cli({ type: 'result', subtype: 'success' }));
    expect(s.status).toBe('ready');
    applyRunEvent(s, { event: 'exited', signal: null, malformedLines: 0, code: 0, stderrTail: '', errors: [], sessionId: 's1' });
    expect(s.status).toBe('closed');
    applyRunEvent(s, cli({ type: 'result', subtype: 'success' }));
    expect(s.status).toBe('closed');
  });

  it('once the backend sent a state, only its states count', () => {
    const s = createRunState();
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'streaming' }) });
    // a queued second prompt: the backend stays streaming after the first result
    applyRunEvent(s, cli({ type: 'result', subtype: 'success' }));
    expect(s.status).toBe('streaming');
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'ready' }) });
    expect(s.status).toBe('ready');
    applyRunEvent(s, { event: 'exited', signal: null, malformedLines: 0, code: 1, stderrTail: '', errors: [], sessionId: null });
    expect(s.status).toBe('ready');
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'failed', kind: 'crashed', message: 'claude exited with code 3: fake crash' }) });
    expect(s.status).toBe('failed');
    expect(s.failure).toEqual({ kind: 'crashed', message: 'claude exited with code 3: fake crash' });
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'connecting' }) });
    expect(s.failure).toBeNull();
  });

  it('a state that arrives after newer news is ignored (a permission answer racing the turn’s end)', () => {
    const s = createRunState();
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'waitingForPermission', bytesStreamed: 4000 }) });
    applyRunEvent(s, cli({ type: 'result', subtype: 'success' }));
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'ready', turns: 1, bytesStreamed: 9000 }) });
    // the answer's "streaming", computed before the result, arrives last
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'streaming', turns: 0, bytesStreamed: 4000 }) });
    expect(s.status).toBe('ready');
    expect(s.info?.turns).toBe(1);
  });

  it('metrics update the info but not the state', () => {
    const s = createRunState();
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'streaming' }) });
    applyRunEvent(s, { event: 'metrics', info: sessionInfo({ state: 'ready', turns: 3, costUsd: 0.5 }) });
    expect(s.status).toBe('streaming');
    expect(s.info?.turns).toBe(3);
    expect(s.info?.costUsd).toBe(0.5);
  });

  it('takes the session id from exited when init never came, or from the backend info', () => {
    const s = foldRunEvents([{ event: 'exited', signal: null, malformedLines: 0, code: 0, stderrTail: '', errors: [], sessionId: 'abc' }]);
    expect(s.sessionId).toBe('abc');
    const t = foldRunEvents([{ event: 'state', info: sessionInfo({ sessionId: 'from-info' }) }]);
    expect(t.sessionId).toBe('from-info');
  });

  it('a follow-up prompt makes a ready run busy again, an ended one connecting; undo restores', () => {
    const s = foldRunEvents([cli({ type: 'result', subtype: 'success' })]);
    expect(s.status).toBe('ready');
    const before = addPrompt(s, 'and now?');
    expect(before).toBe('ready');
    expect(s.status).toBe('streaming');
    expect(s.lastPrompt).toBe('and now?');
    expect(s.items.at(-1)).toEqual(expect.objectContaining({ kind: 'prompt', text: 'and now?' }));
    undoPrompt(s, before);
    expect(s.status).toBe('ready');

    const ended = foldRunEvents([{ event: 'state', info: sessionInfo({ state: 'expired' }) }]);
    addPrompt(ended, 'wake up');
    expect(ended.status).toBe('connecting');
  });
});

describe('permission prompts', () => {
  const req = (id: string) => permissionRequest({ requestId: id });

  it('a permission event adds a prompt once; permissionResolved removes it', () => {
    const s = foldRunEvents([{ event: 'permission', request: req('r1') }, { event: 'permission', request: req('r1') }, { event: 'permission', request: req('r2') }]);
    expect(s.permissions.map((p) => p.requestId)).toEqual(['r1', 'r2']);
    applyRunEvent(s, { event: 'permissionResolved', requestId: 'r1', resolution: 'answered' });
    expect(s.permissions.map((p) => p.requestId)).toEqual(['r2']);
    expect(s.items).toEqual([]);
    applyRunEvent(s, { event: 'permissionResolved', requestId: 'r2', resolution: 'cancelled' });
    expect(s.permissions).toEqual([]);
    expect(s.items).toEqual([expect.objectContaining({ kind: 'notice', text: 'claude withdrew its request to use Write.' })]);
    applyRunEvent(s, { event: 'permissionResolved', requestId: 'nope', resolution: 'answered' });
    expect(s.items).toHaveLength(1);
  });

  it('the backend info is the list of pending prompts', () => {
    const s = foldRunEvents([{ event: 'permission', request: req('r1') }]);
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'waitingForPermission', pendingPermissions: [req('r1'), req('r3')] }) });
    expect(s.permissions.map((p) => p.requestId)).toEqual(['r1', 'r3']);
    applyRunEvent(s, { event: 'state', info: sessionInfo({ state: 'streaming', pendingPermissions: [] }) });
    expect(s.permissions).toEqual([]);
  });
});

describe('interrupts and warnings', () => {
  const marker = cli({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] } });
  const interruptedResult = cli({
    type: 'result', subtype: 'error_during_execution', is_error: true,
    errors: ['[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null'],
  });

  it('the interrupt line is a marker, and the turn’s error result is not a failure', () => {
    const s = foldRunEvents([cli({ type: 'system', subtype: 'init', session_id: 's' }), marker, interruptedResult]);
    expect(s.items.map((i) => i.kind)).toEqual(['interrupt', 'result']);
    expect(s.items.some((i) => i.kind === 'user')).toBe(false);
    const result = s.items[1];
    expect(result.kind === 'result' && result.result.interrupted).toBe(true);
    expect(s.errors).toEqual([]);
    // the process's end repeats the result's errors: still not shown
    applyRunEvent(s, { event: 'exited', signal: null, malformedLines: 0, code: 0, stderrTail: '', errors: ['[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null'], sessionId: 's' });
    expect(s.errors).toEqual([]);
  });

  it('an interrupting state also marks the next error result as interrupted', () => {
    const s = foldRunEvents([{ event: 'state', info: sessionInfo({ state: 'interrupting' }) }, interruptedResult]);
    const result = s.items.find((i) => i.kind === 'result');
    expect(result?.kind === 'result' && result.result.interrupted).toBe(true);
    expect(s.errors).toEqual([]);
    // the next error result is a real failure again
    applyRunEvent(s, interruptedResult);
    expect(s.errors).toHaveLength(1);
  });

  it('a user line that only mentions the marker later is a normal message', () => {
    const s = foldRunEvents([cli({ type: 'user', message: { content: 'what does [Request interrupted by user] mean?' } })]);
    expect(s.items.map((i) => i.kind)).toEqual(['user']);
  });

  it('warnings are inline notices with their code', () => {
    const s = foldRunEvents([{ event: 'warning', code: 'stuck', message: 'this turn has been running for over 30 min' }]);
    expect(s.items).toEqual([expect.objectContaining({ kind: 'notice', tone: 'warn', code: 'stuck', text: 'this turn has been running for over 30 min' })]);
  });
});

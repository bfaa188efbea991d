import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setPermissionCardArmMs } from '../lib/permissions';
import { permissionRequest, sessionInfo } from '../lib/__fixtures__/data';
import { fakeApi } from '../lib/__fixtures__/fakeApi';
import { sampleEvents } from '../lib/__fixtures__/load';
import { LiveRun } from '../lib/run.svelte';
import type { SessionEvent } from '../lib/types';
import RunView from './RunView.svelte';

/** The texts Markdown components asked to render, in order (the real renderer still runs). */
const rendered = vi.hoisted(() => [] as string[]);
vi.mock('../lib/markdown', async (original) => {
  const real = await original<typeof import('../lib/markdown')>();
  return {
    ...real,
    markdownNow: (text: string) => {
      rendered.push(text);
      return real.markdownNow(text);
    },
  };
});

async function startedRun() {
  const api = fakeApi();
  const run = new LiveRun(api, { cwd: '/home/dev/proj', prompt: 'Go' });
  await run.start();
  return { api, run };
}

// Permission cards are clicked as soon as they show here (PermissionCard.test.ts covers the
// pause after one appears).
setPermissionCardArmMs(0);

describe('RunView', () => {
  it('an item that cannot render shows a note in its place; the other items and the controls stay', async () => {
    const { run } = await startedRun();
    // a line the renderer chokes on (no text where text is expected), between two good ones
    run.state.items.push({ kind: 'user', key: 'broken', parentToolUseId: null, replay: false, text: null as unknown as string });
    run.state.items.push({ kind: 'prompt', key: 'after', text: 'Still here' });
    const onerror = vi.fn();
    render(RunView, { run, onclose: () => {}, onerror });
    const output = screen.getByTestId('run-output');
    expect(within(output).getAllByTestId('render-failed')).toHaveLength(1);
    expect(output.textContent).toContain('Go');
    expect(output.textContent).toContain('Still here');
    expect(onerror).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('close-run')).toBeTruthy();
  });

  it('names the session in its header when the user gave it a name', async () => {
    const { run } = await startedRun();
    const view = render(RunView, { run, onclose: () => {}, name: 'Release notes' });
    const header = screen.getByTestId('run-view').querySelector('header')!;
    expect(within(header).getByTestId('run-name').textContent).toBe('Release notes');
    await view.rerender({ run, onclose: () => {}, name: null });
    expect(screen.queryByTestId('run-name')).toBeNull();
  });

  it('marks subagent traffic and shows both results of a background-agent run', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    for (const ev of sampleEvents('local-cli-2.1.330/stream/subagent_background_two_results.stream.jsonl')) api.emit(ev);
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(out.querySelectorAll('.assistant.subagent')).toHaveLength(1);
    expect(out.querySelector('.assistant.subagent')?.textContent).toContain('hi (from subagent)');
    expect(within(out).getByTestId('tool-call').textContent).toContain('subagent run');
    expect(out.querySelectorAll('.turn-result')).toHaveLength(2);
    expect(screen.getByTestId('run-status').textContent).toBe('ready');
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('shows thinking collapsed and the prompt that started the run', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    for (const ev of sampleEvents('local-cli-2.1.330/stream/thinking.stream.jsonl')) api.emit(ev);
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(out.querySelector('.prompt')?.textContent).toContain('Go');
    const thinking = out.querySelector('details.thinking') as HTMLDetailsElement;
    expect(thinking.open).toBe(false);
    expect(thinking.textContent).toContain('Mock reasoning');
  });

  it('shows an API error in words', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    for (const ev of sampleEvents('local-cli-2.1.112/stream/api_error_400.stream.jsonl')) api.emit(ev);
    flushSync();
    expect(screen.getByTestId('error-banner').textContent).toContain('API Error: 400');
  });
});

describe('RunView: turns the transcript above already shows', () => {
  async function answeredRun(prompts: string[]) {
    const { api, run } = await startedRun();
    prompts.forEach((p, i) => {
      if (i > 0) void run.send(p);
      api.emit({ event: 'cli', line: { type: 'assistant', message: { id: `m${i}`, content: [{ type: 'text', text: `Echo: ${p}` }] } } });
      api.emit({ event: 'cli', line: { type: 'result', subtype: 'success', num_turns: 1, total_cost_usd: 0.0029, duration_ms: 1200 } });
    });
    return { api, run };
  }

  it('folds a finished run whose turns are all above into one line, output still in the DOM', async () => {
    const { run } = await answeredRun(['Go']);
    render(RunView, { run, onclose: () => {}, shownAbove: 1 });
    const view = screen.getByTestId('run-view');
    expect(view.classList.contains('collapsed')).toBe(true);
    expect(screen.getByTestId('run-summary').textContent).toContain('Turn finished · 1 turn · $0.0029 · 1.2 s');
    expect(screen.getByTestId('run-status').textContent).toBe('ready');
    const out = screen.getByTestId('run-output');
    expect(out.hidden).toBe(true);
    expect(out.textContent).toContain('Echo: Go');
    // the run is alive: the follow-up box stays
    expect(screen.getByTestId('followup-prompt')).toBeTruthy();
    await fireEvent.click(screen.getByText('Show output'));
    expect(out.hidden).toBe(false);
  });

  it('after its process ended it is still one line, takes prompts, and Close closes it', async () => {
    const { api, run } = await answeredRun(['Go']);
    api.emit({ event: 'exited', signal: null, malformedLines: 0, code: 0, stderrTail: '', errors: [], sessionId: null });
    const onclose = vi.fn();
    render(RunView, { run, onclose, shownAbove: 1 });
    expect(screen.getByTestId('run-status').textContent).toBe('closed');
    expect(screen.getByTestId('run-summary').textContent).toContain('Turn finished');
    // a closed session resumes on the next prompt
    expect(screen.getByTestId('followup-prompt')).toBeTruthy();
    expect(screen.queryByTestId('interrupt-run')).toBeNull();
    await fireEvent.click(screen.getByTestId('close-run'));
    expect(onclose).toHaveBeenCalled();
  });

  it('shows the turns not yet above, the earlier ones folded', async () => {
    const { api, run } = await answeredRun(['Go']);
    render(RunView, { run, onclose: () => {}, shownAbove: 1 });
    await run.send('And more');
    api.emit({ event: 'cli', line: { type: 'assistant', message: { id: 'm9', content: [{ type: 'text', text: 'Echo: And more' }] } } });
    flushSync();
    expect(screen.getByTestId('run-view').classList.contains('collapsed')).toBe(false);
    const out = screen.getByTestId('run-output');
    expect(out.hidden).toBe(false);
    const earlier = screen.getByTestId('run-earlier') as HTMLDetailsElement;
    expect(earlier.open).toBe(false);
    expect(earlier.textContent).toContain('Echo: Go');
    expect(earlier.textContent).not.toContain('And more');
    expect(out.textContent).toContain('Echo: And more');
    expect(out.textContent).toContain('Echo: Go');
  });

  it('repeats nothing and folds nothing when the transcript shows none of it', async () => {
    const { run } = await answeredRun(['Go']);
    render(RunView, { run, onclose: () => {} });
    expect(screen.queryByTestId('run-summary')).toBeNull();
    expect(screen.queryByTestId('run-earlier')).toBeNull();
    expect(screen.getByTestId('run-output').hidden).toBe(false);
  });

  it('shows command echoes compactly, not as markup', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    for (const ev of sampleEvents('local-cli-2.1.330/stream/compact_resume.stream.jsonl')) api.emit(ev);
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(out.textContent).not.toContain('<local-command-stdout>');
    expect(out.querySelector('.cli-output')?.textContent).toBe('Compacted');
    expect(out.textContent).toContain('Conversation compacted (manual, 131 tokens before)');
  });
});

describe('RunView: keeping the end in view', () => {
  function geometry(section: () => number) {
    const calls: unknown[] = [];
    const proto = Element.prototype as unknown as { scrollIntoView?: unknown; getBoundingClientRect: () => DOMRect };
    const original = { scrollIntoView: proto.scrollIntoView, rect: proto.getBoundingClientRect };
    proto.scrollIntoView = function (this: Element, arg: unknown) {
      if (this.matches('[data-testid="run-view"]')) calls.push(arg);
    };
    proto.getBoundingClientRect = function (this: Element) {
      const bottom = this.matches('[data-testid="run-view"]') ? section() : 800;
      return { bottom, top: 0, left: 0, right: 0, width: 0, height: bottom, x: 0, y: 0, toJSON: () => ({}) } as DOMRect;
    };
    return {
      calls,
      restore() {
        proto.scrollIntoView = original.scrollIntoView;
        proto.getBoundingClientRect = original.rect;
      },
    };
  }

  it('brings a new run into view and follows its output while the user is at its end', async () => {
    let bottom = 790;
    const g = geometry(() => bottom);
    try {
      const { api, run } = await startedRun();
      render(RunView, { run, onclose: () => {} });
      flushSync();
      expect(g.calls.length).toBeGreaterThan(0);
      expect(g.calls.at(-1)).toEqual({ block: 'end', inline: 'nearest' });

      const before = g.calls.length;
      api.emit({ event: 'cli', line: { type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: 'Hello' }] } } });
      flushSync();
      expect(g.calls.length).toBeGreaterThan(before);

      // the user scrolled up to read: the end is far below the view, so nothing moves
      bottom = 3000;
      const still = g.calls.length;
      api.emit({ event: 'cli', line: { type: 'assistant', message: { id: 'm2', content: [{ type: 'text', text: 'More' }] } } });
      flushSync();
      expect(g.calls.length).toBe(still);
    } finally {
      g.restore();
    }
  });
});

describe('RunView: a live session', () => {
  it('Interrupt shows while a turn runs and calls interrupt_session', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'state', info: sessionInfo({ state: 'streaming' }) });
    flushSync();
    const button = screen.getByTestId('interrupt-run') as HTMLButtonElement;
    expect(button.title).toContain('Esc');
    await fireEvent.click(button);
    expect(api.mocks.interruptSession).toHaveBeenCalledWith('run-1');
    api.emit({ event: 'state', info: sessionInfo({ state: 'interrupting' }) });
    flushSync();
    expect((screen.getByTestId('interrupt-run') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('run-status').textContent).toBe('interrupting');
    api.emit({ event: 'cli', line: { type: 'user', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] } } });
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['[ede_diagnostic] x'] } });
    api.emit({ event: 'state', info: sessionInfo({ state: 'ready' }) });
    flushSync();
    expect(screen.queryByTestId('interrupt-run')).toBeNull();
    expect(screen.getByTestId('run-status').textContent).toBe('ready');
  });

  it('shows the interrupt line as a marker, not as a message, and no error', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'cli', line: { type: 'user', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] } } });
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['[ede_diagnostic] x'] } });
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(screen.getByTestId('interrupt-marker').textContent).toBe('Interrupted by you');
    expect(out.querySelector('.user-line')).toBeNull();
    expect(out.querySelector('.turn-result')?.textContent).toBe('Turn interrupted');
    expect(out.querySelector('.turn-result.error')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('the state badge says each state in words', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    const seen: string[] = [];
    for (const state of ['connecting', 'streaming', 'waitingForPermission', 'interrupting', 'ready', 'expired', 'closed'] as const) {
      api.emit({ event: 'state', info: sessionInfo({ state }) });
      flushSync();
      const badge = screen.getByTestId('run-status');
      expect(badge.dataset.state).toBe(state);
      seen.push(badge.textContent ?? '');
    }
    expect(seen).toEqual(['connecting', 'streaming', 'waiting for permission', 'interrupting', 'ready', 'expired', 'closed']);
  });

  it('a failed session says why in words, and Retry asks for the last prompt again', async () => {
    const { api, run } = await startedRun();
    const onretry = vi.fn();
    render(RunView, { run, onclose: () => {}, onretry });
    api.emit({ event: 'state', info: sessionInfo({ state: 'failed', kind: 'first_chunk_timeout', message: 'claude printed nothing within 10 s of starting; it was ended.' }) });
    flushSync();
    expect(screen.getByTestId('run-status').textContent).toBe('failed');
    expect(screen.getByTestId('run-failure').textContent).toContain('Failed: claude printed nothing within 10 s');
    await fireEvent.click(screen.getByTestId('run-retry'));
    expect(onretry).toHaveBeenCalled();
  });

  it('shows warnings inline', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'warning', code: 'ongoing_timeout', message: 'no output for 120 s: interrupting the turn (the session stays open)' });
    api.emit({ event: 'warning', code: 'reconnecting', message: 'starting claude again (attempt 2 of 3)' });
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(out.querySelector('[data-warning-code="ongoing_timeout"]')?.textContent).toContain('no output for 120 s');
    expect(out.querySelector('[data-warning-code="reconnecting"]')?.textContent).toContain('attempt 2 of 3');
  });

  it('the metrics strip shows the backend’s numbers', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({
      event: 'metrics',
      info: sessionInfo({
        turns: 3, messagesIn: 3, messagesOut: 5, costUsd: 0.0123, durationMs: 4200, errors: 1,
        tokens: { input: 1200, output: 345, cacheRead: 56_000, cacheCreation: 7 },
      }),
    });
    flushSync();
    const strip = screen.getByTestId('run-metrics');
    const metric = (m: string) => strip.querySelector(`[data-metric="${m}"]`)?.textContent;
    expect(metric('turns')).toBe('3');
    expect(metric('messages')).toBe('3 / 5');
    expect(metric('tokens')).toBe('1.2k / 345');
    expect(metric('cache')).toBe('56k / 7');
    expect(metric('cost')).toBe('$0.0123');
    expect(metric('duration')).toBe('4.2 s');
    expect(metric('errors')).toBe('1');
  });

  it('the permission mode selector offers default, acceptEdits and plan (never bypass) and switches', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'state', info: sessionInfo({ state: 'ready', permissionMode: 'default' }) });
    flushSync();
    const select = screen.getByTestId('run-permission-mode') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['default', 'acceptEdits', 'plan']);
    expect(select.value).toBe('default');
    await fireEvent.change(select, { target: { value: 'plan' } });
    expect(api.mocks.setPermissionMode).toHaveBeenCalledWith('run-1', 'plan');
  });

  it('a refused mode switch is said in words and the selector shows the mode in force', async () => {
    const { api, run } = await startedRun();
    api.mocks.setPermissionMode.mockRejectedValue({ kind: 'control_request_failed', message: 'the CLI refused the request' });
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'state', info: sessionInfo({ state: 'ready', permissionMode: 'acceptEdits' }) });
    flushSync();
    const select = screen.getByTestId('run-permission-mode') as HTMLSelectElement;
    expect(select.value).toBe('acceptEdits');
    await fireEvent.change(select, { target: { value: 'plan' } });
    await vi.waitFor(() => expect(screen.getByTestId('error-banner').textContent).toContain('the CLI refused the request'));
    expect(select.value).toBe('acceptEdits');
  });

  it('a permission prompt shows as a card until it is resolved, and its answers reach the backend', async () => {
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit({ event: 'permission', request: permissionRequest({ requestId: 'q1' }) });
    flushSync();
    const card = screen.getByTestId('permission-card');
    expect(card.dataset.toolName).toBe('Write');
    await fireEvent.click(within(card).getByTestId('permission-allow-once'));
    expect(api.mocks.answerPermission).toHaveBeenCalledWith('run-1', 'q1', { decision: 'allowOnce' });
    api.emit({ event: 'permissionResolved', requestId: 'q1', resolution: 'answered' });
    flushSync();
    expect(screen.queryByTestId('permission-card')).toBeNull();
  });
});

describe('RunView: the pool is full', () => {
  it('names the limit and offers closing an idle session, and retry', async () => {
    const api = fakeApi();
    api.mocks.startSession.mockRejectedValue({ kind: 'pool_full', message: '8 sessions are already running, the most ccdesk allows at once; close an idle session (the session in /a has been idle for 90 s)' });
    const run = new LiveRun(api, { cwd: '/home/dev/proj', prompt: 'Go' });
    await run.start();
    const oncloseidle = vi.fn();
    const onretry = vi.fn();
    render(RunView, { run, onclose: () => {}, oncloseidle, onretry, maxSessions: 8 });
    const notice = screen.getByTestId('capacity-notice');
    expect(notice.textContent).toContain('8 sessions are already live, the most ccdesk runs at once.');
    expect(notice.textContent).toContain('idle for 90 s');
    expect(screen.queryByTestId('run-failure')).toBeNull();
    expect(screen.getByTestId('capacity-close-idle').textContent).toContain('Close idle session and start');
    await fireEvent.click(screen.getByTestId('capacity-close-idle'));
    expect(oncloseidle).toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('capacity-retry'));
    expect(onretry).toHaveBeenCalled();
    // nothing was started, so nothing takes prompts
    expect(screen.queryByTestId('followup-prompt')).toBeNull();
  });
});

describe('RunView: a streaming reply', () => {
  afterEach(() => vi.unstubAllGlobals());

  const stream = (event: Record<string, unknown>): SessionEvent =>
    ({ event: 'cli', line: { type: 'stream_event', event, parent_tool_use_id: null, api_message_id: 'm1' } }) as SessionEvent;
  const delta = (text: string) => stream({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });

  it('re-renders the reply at most once per frame, and always shows the final text', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const frame = () => {
      for (const cb of frames.splice(0)) cb(performance.now());
      flushSync();
    };
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit(stream({ type: 'message_start', message: { id: 'm1', model: 'claude-opus-5-5' } }));
    api.emit(stream({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    flushSync();
    const out = screen.getByTestId('run-output');
    const renders = () => rendered.filter((t) => t.startsWith('w0 ')).length;

    for (let i = 0; i < 100; i++) api.emit(delta(`w${i} `));
    flushSync();
    expect(renders()).toBe(1); // the first delta shows at once...
    expect(out.textContent).toContain('w0');
    expect(out.textContent).not.toContain('w1 ');
    frame(); // ...in this frame, so the others wait for the next one
    expect(renders()).toBe(1);
    frame();
    expect(renders()).toBe(2);
    await vi.waitFor(() => expect(out.textContent).toContain('w99'));
    frame(); // nothing new: quiet again

    for (let i = 100; i < 150; i++) api.emit(delta(`w${i} `));
    flushSync();
    expect(renders()).toBe(3);
    // the CLI's final line for the block: everything held is applied first, then the final text
    const final = Array.from({ length: 150 }, (_, i) => `w${i} `).join('') + 'end.';
    api.emit({ event: 'cli', line: { type: 'assistant', message: { id: 'm1', model: 'claude-opus-5-5', content: [{ type: 'text', text: final }] } } } as SessionEvent);
    flushSync();
    await vi.waitFor(() => expect(out.textContent).toContain('w149 end.'));
    expect(renders()).toBe(4); // the held deltas and the final text land together: one render
    frame();
    frame();
    expect(renders()).toBe(4);
  });

  it('applies held deltas on a timer where there are no animation frames', async () => {
    vi.stubGlobal('requestAnimationFrame', undefined);
    const { api, run } = await startedRun();
    render(RunView, { run, onclose: () => {} });
    api.emit(stream({ type: 'message_start', message: { id: 'm1' } }));
    api.emit(stream({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    api.emit(delta('one '));
    api.emit(delta('two'));
    flushSync();
    const out = screen.getByTestId('run-output');
    expect(out.textContent).toContain('one');
    expect(out.textContent).not.toContain('two');
    await vi.waitFor(() => expect(out.textContent).toContain('one two'));
  });
});

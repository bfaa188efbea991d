import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../lib/__fixtures__/fakeApi';
import { sampleEvents } from '../lib/__fixtures__/load';
import { LiveRun } from '../lib/run.svelte';
import RunView from './RunView.svelte';

async function startedRun() {
  const api = fakeApi();
  const run = new LiveRun(api, { cwd: '/home/dev/proj', prompt: 'Go' });
  await run.start();
  return { api, run };
}

describe('RunView', () => {
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
    expect(screen.getByTestId('run-status').textContent).toBe('idle');
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
    expect(screen.getByTestId('run-status').textContent).toBe('idle');
    const out = screen.getByTestId('run-output');
    expect(out.hidden).toBe(true);
    expect(out.textContent).toContain('Echo: Go');
    // the run is alive: the follow-up box stays
    expect(screen.getByTestId('followup-prompt')).toBeTruthy();
    await fireEvent.click(screen.getByText('Show output'));
    expect(out.hidden).toBe(false);
  });

  it('after exit it is one line with Close', async () => {
    const { api, run } = await answeredRun(['Go']);
    api.emit({ event: 'exited', code: 0, stderrTail: '', errors: [], sessionId: null });
    const onclose = vi.fn();
    render(RunView, { run, onclose, shownAbove: 1 });
    expect(screen.getByTestId('run-status').textContent).toBe('exited');
    expect(screen.getByTestId('run-summary').textContent).toContain('Turn finished');
    expect(screen.queryByTestId('followup-prompt')).toBeNull();
    await fireEvent.click(screen.getByText('Close'));
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

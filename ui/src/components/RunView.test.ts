import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
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

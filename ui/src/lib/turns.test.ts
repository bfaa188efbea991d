import { describe, expect, it } from 'vitest';
import { sampleEvents } from './__fixtures__/load';
import { addPrompt, createRunState, foldRunEvents, type RunResult } from './stream';
import { resultSummary, runSessionId, splitTurns, turnsInTranscript } from './turns';

const result = (over: Partial<RunResult> = {}): RunResult => ({
  subtype: 'success',
  isError: false,
  text: '',
  errors: [],
  costUsd: null,
  durationMs: null,
  numTurns: null,
  interrupted: false,
  ...over,
});

/** A run with these prompts; each but the last `open` ones answered and finished. */
function run(prompts: string[], open = 0) {
  const s = createRunState();
  prompts.forEach((p, i) => {
    addPrompt(s, p);
    foldRunEvents([{ event: 'cli', line: { type: 'assistant', message: { id: `m${i}`, content: [{ type: 'text', text: `re ${p}` }] } } }], s);
    if (i < prompts.length - open) foldRunEvents([{ event: 'cli', line: { type: 'result', subtype: 'success', total_cost_usd: 0.01 } }], s);
  });
  return splitTurns(s.items);
}

describe('splitTurns', () => {
  it('cuts a run at its prompts and keeps each turn’s result', () => {
    const s = createRunState();
    addPrompt(s, ' Run echo ');
    foldRunEvents(sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl'), s);
    addPrompt(s, 'And again');
    const turns = splitTurns(s.items);
    expect(turns.map((t) => t.prompt)).toEqual(['Run echo', 'And again']);
    expect(turns[0].result).toEqual(expect.objectContaining({ isError: false }));
    expect(turns[0].items.at(-1)?.kind).toBe('result');
    expect(turns[1].result).toBeNull();
    expect(turns.flatMap((t) => t.items)).toEqual(s.items);
  });

  it('keeps output that came before any prompt', () => {
    const turns = splitTurns(foldRunEvents([{ event: 'cli', line: { type: 'result', subtype: 'success' } }]).items);
    expect(turns).toEqual([expect.objectContaining({ prompt: null })]);
    expect(splitTurns([])).toEqual([]);
  });
});

describe('turnsInTranscript', () => {
  it('counts the finished turns the transcript ends with', () => {
    expect(turnsInTranscript(run(['go']), ['seed prompt', 'go'])).toBe(1);
    expect(turnsInTranscript(run(['go', 'more']), ['seed prompt', 'go', 'more'])).toBe(2);
    expect(turnsInTranscript(run(['go', 'more']), ['seed prompt', 'go'])).toBe(1);
  });

  it('is 0 before the transcript has the run’s prompt, or when it ends otherwise', () => {
    expect(turnsInTranscript(run(['go']), ['seed prompt'])).toBe(0);
    expect(turnsInTranscript(run(['go']), ['go', 'typed elsewhere'])).toBe(0);
    expect(turnsInTranscript(run(['go']), [])).toBe(0);
    expect(turnsInTranscript([], ['go'])).toBe(0);
  });

  it('does not count a turn still running, even when its prompt is written', () => {
    expect(turnsInTranscript(run(['go', 'more'], 1), ['go', 'more'])).toBe(1);
    expect(turnsInTranscript(run(['go'], 1), ['go'])).toBe(0);
  });

  it('matches repeated prompts from the earliest possible start', () => {
    expect(turnsInTranscript(run(['again', 'again']), ['again', 'again', 'again'])).toBe(2);
    expect(turnsInTranscript(run(['again']), ['again', 'again'])).toBe(1);
  });
});

describe('runSessionId', () => {
  it('is the session the run writes to', () => {
    expect(runSessionId({ sessionId: 'new' }, { cwd: '/', prompt: 'p', resume: 'old' })).toBe('new');
    expect(runSessionId({ sessionId: null }, { cwd: '/', prompt: 'p', resume: 'old' })).toBe('old');
    expect(runSessionId({ sessionId: null }, { cwd: '/', prompt: 'p', resume: 'old', forkSession: true })).toBeNull();
    expect(runSessionId({ sessionId: null }, { cwd: '/', prompt: 'p' })).toBeNull();
  });
});

describe('resultSummary', () => {
  it('says how the turn ended, its turns, cost and duration', () => {
    expect(resultSummary(result({ numTurns: 2, costUsd: 0.012345, durationMs: 3400 }))).toBe('Turn finished · 2 turns · $0.0123 · 3.4 s');
    expect(resultSummary(result({ isError: true, numTurns: 1 }))).toBe('Turn failed · 1 turn');
    expect(resultSummary(result())).toBe('Turn finished');
    expect(resultSummary(result({ isError: true, interrupted: true }))).toBe('Turn interrupted');
  });
});

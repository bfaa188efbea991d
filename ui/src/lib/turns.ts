// A live run's output as turns (a prompt and what followed it), and which of them the open
// transcript already shows, so the run view need not repeat them.
import type { RunItem, RunResult, RunState } from './stream';
import type { StartRequest } from './types';

export interface RunTurn {
  /** The prompt that started the turn (null for output before any prompt). */
  prompt: string | null;
  items: RunItem[];
  /** The turn's `result`, once it came. */
  result: RunResult | null;
}

/** Splits a run's items at each prompt. */
export function splitTurns(items: RunItem[]): RunTurn[] {
  const turns: RunTurn[] = [];
  for (const item of items) {
    if (item.kind === 'prompt' || turns.length === 0) {
      turns.push({ prompt: item.kind === 'prompt' ? item.text.trim() : null, items: [], result: null });
    }
    const turn = turns[turns.length - 1];
    turn.items.push(item);
    if (item.kind === 'result') turn.result = item.result;
  }
  return turns;
}

/**
 * How many of the run's first turns the transcript already shows: finished turns whose prompts
 * the transcript's typed prompts end with, in order (a resumed or followed-up session's file
 * grows by exactly the run's turns). `transcriptPrompts` is `userPrompts` of the transcript of the
 * run's own session.
 */
export function turnsInTranscript(turns: RunTurn[], transcriptPrompts: string[]): number {
  const runPrompts = turns.map((t) => t.prompt);
  if (runPrompts.length === 0 || runPrompts[0] === null) return 0;
  const t = transcriptPrompts.map((p) => p.trim());
  // The earliest start from which the transcript's remaining prompts are the run's first ones.
  for (let j = Math.max(0, t.length - runPrompts.length); j < t.length; j += 1) {
    const tail = t.slice(j);
    if (tail.every((p, i) => p === runPrompts[i])) {
      let n = 0;
      while (n < tail.length && turns[n].result !== null) n += 1;
      return n;
    }
  }
  return 0;
}

/** The session whose transcript a run writes to, once known (a fork writes to a new one). */
export function runSessionId(state: Pick<RunState, 'sessionId'>, request: StartRequest): string | null {
  return state.sessionId ?? (request.forkSession ? null : (request.resume ?? null));
}

/** One line about a finished turn: `Turn finished · 2 turns · $0.0123 · 3.4 s`. */
export function resultSummary(result: RunResult): string {
  const parts = [result.interrupted ? 'Turn interrupted' : result.isError ? 'Turn failed' : 'Turn finished'];
  if (result.numTurns !== null) parts.push(`${result.numTurns} turn${result.numTurns === 1 ? '' : 's'}`);
  if (result.costUsd !== null) parts.push(`$${result.costUsd.toFixed(4)}`);
  if (result.durationMs !== null) parts.push(`${(result.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}

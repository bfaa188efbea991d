// Test helper: reads a sample capture, preferring the repository's shared fixtures.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../types';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../../tests/fixtures/samples');

/** Path of a sample, e.g. `local-cli-2.1.330/stream/thinking.stream.jsonl`. */
export function samplePath(rel: string): string {
  const inRepo = join(shared, rel);
  return existsSync(inRepo) ? inRepo : join(here, rel);
}

/** The sample's lines as `cli` run events, exactly as the backend forwards them. */
export function sampleEvents(rel: string): RunEvent[] {
  return readFileSync(samplePath(rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ event: 'cli', line: JSON.parse(l) }) as RunEvent);
}

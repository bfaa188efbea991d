// Test helper: reads a sample capture from the repository's shared fixtures
// (`tests/fixtures/samples/`, provenance in its SOURCES.txt).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionEvent } from '../types';

const here = dirname(fileURLToPath(import.meta.url));
/** `ui/src/lib/__fixtures__` → `<repo>/tests/fixtures/samples`. */
export const SAMPLES_DIR = resolve(here, '../../../../tests/fixtures/samples');

/** Path of a sample, e.g. `local-cli-2.1.330/stream/thinking.stream.jsonl`. */
export function samplePath(rel: string): string {
  return join(SAMPLES_DIR, rel);
}

/** The sample's lines as `cli` run events, exactly as the backend forwards them. */
export function sampleEvents(rel: string): SessionEvent[] {
  return readFileSync(samplePath(rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ event: 'cli', line: JSON.parse(l) }) as SessionEvent);
}

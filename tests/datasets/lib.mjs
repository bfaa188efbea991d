// Shared by the data set generators: the CLI's project-dir naming rule, deterministic ids and
// timestamps, transcript lines in the shapes the real CLI writes (copied from
// tests/fixtures/samples), and the manifest the GUI specs read.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The CLI's project dir name for a cwd (/work/shared/claude-code-formats.md §1): every UTF-16 code
 * unit outside [A-Za-z0-9] becomes '-'; over 200 units, the first 200 plus '-' and the base36 of
 * |h|, h a wrapping i32 hash of the original path's units (h = (h << 5) - h + unit).
 */
export function dirNameFor(cwd) {
  const name = cwd.replace(/[^A-Za-z0-9]/g, '-'); // JS strings are UTF-16: one '-' per code unit
  if (name.length <= 200) return name;
  let h = 0;
  for (let i = 0; i < cwd.length; i++) h = ((h << 5) - h + cwd.charCodeAt(i)) | 0;
  return `${name.slice(0, 200)}-${Math.abs(h).toString(36)}`;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same data set. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic v4-shaped uuids from a seeded PRNG. */
export function uuids(seed) {
  const r = rng(seed);
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ((r() * 16) | 0).toString(16);
    return s;
  };
  return () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[(r() * 4) | 0]}${hex(3)}-${hex(12)}`;
}

/** ISO timestamps from `start` (ms), `stepMs` apart. */
export function clock(start = Date.UTC(2026, 0, 5, 9, 0, 0), stepMs = 1500) {
  let t = start;
  return () => {
    const s = new Date(t).toISOString();
    t += stepMs;
    return s;
  };
}

/**
 * Writes transcript lines of one session, chained by parentUuid like the CLI does. `meta` holds the
 * fields every conversation line carries (cwd, sessionId, version, gitBranch); pass `cwd: null` to
 * leave it out (old or odd writers).
 */
export class Session {
  constructor({ sessionId, cwd, version = '2.1.112', gitBranch = 'main', uuid, now, entrypoint = 'cli' }) {
    this.sessionId = sessionId;
    this.cwd = cwd;
    this.version = version;
    this.gitBranch = gitBranch;
    this.uuid = uuid;
    this.now = now;
    this.entrypoint = entrypoint;
    this.parent = null;
    this.lines = [];
    this.msg = 0;
  }

  common(uuid, timestamp) {
    const c = { parentUuid: this.parent, isSidechain: false, userType: 'external', entrypoint: this.entrypoint };
    if (this.cwd !== null) c.cwd = this.cwd;
    Object.assign(c, { sessionId: this.sessionId, version: this.version, gitBranch: this.gitBranch });
    return { ...c, uuid, timestamp };
  }

  push(obj) {
    const line = typeof obj === 'string' ? obj : JSON.stringify(obj);
    this.lines.push(line);
    return line;
  }

  /** A prompt typed by a person (content a string), with the queue lines -p writes before it. */
  user(text, { uuid = this.uuid(), queue = true } = {}) {
    const ts = this.now();
    if (queue) {
      this.push({ type: 'queue-operation', operation: 'enqueue', timestamp: ts, sessionId: this.sessionId, content: text });
      this.push({ type: 'queue-operation', operation: 'dequeue', timestamp: ts, sessionId: this.sessionId });
    }
    const c = this.common(uuid, ts);
    this.push({ ...c, type: 'user', message: { role: 'user', content: text }, permissionMode: 'default' });
    this.parent = uuid;
    return uuid;
  }

  /** An assistant message with these content blocks (a string is one text block). */
  assistant(content, { uuid = this.uuid(), model = 'claude-sonnet-4-6', stop = 'end_turn' } = {}) {
    const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    const n = ++this.msg;
    const c = this.common(uuid, this.now());
    this.push({
      ...c,
      type: 'assistant',
      requestId: `req_mock${String(n).padStart(4, '0')}`,
      message: {
        id: `msg_mock${this.sessionId.slice(0, 8)}${String(n).padStart(6, '0')}`,
        type: 'message',
        role: 'assistant',
        model,
        content: blocks,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 101 + n, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12, service_tier: 'standard' },
      },
    });
    this.parent = uuid;
    return uuid;
  }

  /** A Bash tool call and its result (the result as the CLI records it: a user line). */
  bash(command, output, { isError = false } = {}) {
    const id = `toolu_${this.uuid().replace(/-/g, '').slice(0, 24)}`;
    const callUuid = this.assistant([{ type: 'tool_use', id, name: 'Bash', input: { command, description: `Run ${command.split(' ')[0]}` } }], { stop: 'tool_use' });
    const uuid = this.uuid();
    const c = this.common(uuid, this.now());
    this.push({
      ...c,
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: output, is_error: isError }] },
      toolUseResult: { stdout: output, stderr: '', interrupted: false, isImage: false },
      sourceToolAssistantUUID: callUuid,
    });
    this.parent = uuid;
    return uuid;
  }

  /** A user line with this content as-is (local command output, caveats, ...). */
  raw(content, extra = {}) {
    const uuid = this.uuid();
    this.push({ ...this.common(uuid, this.now()), type: 'user', message: { role: 'user', content }, ...extra });
    this.parent = uuid;
    return uuid;
  }

  lastPrompt(text) {
    this.push({ type: 'last-prompt', lastPrompt: text, sessionId: this.sessionId });
  }

  customTitle(title) {
    this.push({ type: 'custom-title', customTitle: title, sessionId: this.sessionId });
  }

  summary(text) {
    this.push({ type: 'summary', summary: text, leafUuid: this.parent });
  }

  text() {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}

/** Writes the manifest the specs read (see README.md). */
export function writeManifest(out, manifest) {
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The project key the backend gives a project: `cwd:<path>`, or `dir:<dirName>` without a cwd. */
export function projectKey(cwd, dirName) {
  return cwd ? `cwd:${cwd}` : `dir:${dirName}`;
}

/** Parses `<outdir>` from argv, absolute. */
export function outDir(argv = process.argv) {
  const out = argv[2];
  if (!out) {
    console.error(`usage: node ${path.basename(argv[1])} <outdir>`);
    process.exit(2);
  }
  return path.resolve(out);
}

// The CLI's echoes of slash commands and local output in a transcript (`<command-name>…`,
// `<local-command-stdout>…`, `<bash-input>…`, `<local-command-caveat>…`), decoded.
//
// Transcript text is untrusted and can be megabytes long, so everything here runs in time linear
// in the text: one forward scan with `indexOf` instead of a regex with a lazy group and a
// back-reference, index loops instead of `/\s+$/` (which backtracks quadratically on a long run of
// spaces followed by anything else).

/** A CLI echo line, decoded. `caveat` is the CLI's note to the model about local commands. */
export type CliEcho =
  | { kind: 'command'; name: string; args: string }
  | { kind: 'output'; text: string }
  | { kind: 'caveat'; text: string };

const OUTPUT_TAGS = ['local-command-stdout', 'local-command-stderr', 'bash-stdout', 'bash-stderr'];
const COMMAND_TAGS = ['command-name', 'command-message', 'command-args'];

/**
 * Decodes the markup the CLI writes for slash commands and local output, or returns null when the
 * text is anything else (a prompt that merely mentions a tag stays a prompt: the whole text must be
 * made of the known tags). Linear in the length of `raw`.
 *
 * - `<command-name>/compact</command-name><command-message>…</command-message><command-args>x</command-args>`
 *   → `{ kind: 'command', name: '/compact', args: 'x' }`; `<bash-input>ls</bash-input>` → name `!`, args `ls`
 * - `<local-command-stdout>Compacted </local-command-stdout>` (also stderr, bash-stdout/stderr)
 *   → `{ kind: 'output', text: 'Compacted' }`, terminal colour codes removed
 * - `<local-command-caveat>…</local-command-caveat>` → `{ kind: 'caveat', … }`
 */
export function parseCliEcho(raw: string): CliEcho | null {
  const text = raw.trim();
  if (!text.startsWith('<')) return null;

  const caveat = onlyTags(text, ['local-command-caveat']);
  if (caveat) return { kind: 'caveat', text: caveat['local-command-caveat'].join('\n').trim() };

  const cmd = onlyTags(text, COMMAND_TAGS);
  if (cmd && (cmd['command-name'] || cmd['command-message'])) {
    const named = (cmd['command-name']?.[0] ?? '').trim() || (cmd['command-message']?.[0] ?? '').trim();
    const name = named.startsWith('/') ? named : `/${named}`;
    return { kind: 'command', name, args: (cmd['command-args']?.[0] ?? '').trim() };
  }

  const bash = onlyTags(text, ['bash-input']);
  if (bash) return { kind: 'command', name: '!', args: bash['bash-input'].join('\n').trim() };

  const out = onlyTags(text, OUTPUT_TAGS);
  if (out) {
    const parts = OUTPUT_TAGS.flatMap((t) => out[t] ?? []).map((p) => stripAnsi(p).trimEnd());
    return { kind: 'output', text: trimLeadingNewlines(parts.filter((p) => p.trim() !== '').join('\n')) };
  }
  return null;
}

/** The one-line form of a command echo: `/compact`, `/model opus`, `! ls -la`. */
export function commandLine(echo: Extract<CliEcho, { kind: 'command' }>): string {
  if (!echo.args) return echo.name;
  return echo.name === '!' ? `! ${echo.args}` : `${echo.name} ${echo.args}`;
}

/**
 * The tag contents of a text made only of `<tag>…</tag>` pairs of the given names (and whitespace
 * between them), by tag name, in the order they appear; null when anything else is in the text or
 * when there is no pair at all. A pair ends at the first closing tag of its name (contents are not
 * nested). One forward scan: O(length of `text` × number of names).
 */
export function onlyTags(text: string, names: readonly string[]): Record<string, string[]> | null {
  const found: Record<string, string[]> = {};
  let any = false;
  let pos = skipSpace(text, 0);
  while (pos < text.length) {
    // Only whitespace may come between pairs, so this must be the start of an opening tag.
    if (text.charCodeAt(pos) !== 0x3c /* < */) return null;
    const name = names.find((n) => text.startsWith(`<${n}>`, pos));
    if (name === undefined) return null;
    const start = pos + name.length + 2;
    const close = text.indexOf(`</${name}>`, start);
    if (close < 0) return null;
    (found[name] ??= []).push(text.slice(start, close));
    any = true;
    pos = skipSpace(text, close + name.length + 3);
  }
  return any ? found : null;
}

/**
 * `s` without terminal control sequences (CSI: ESC `[`, parameter bytes `0-9;?`, intermediate
 * bytes `space-/`, a final byte `@-~`), e.g. colour codes. An incomplete sequence is kept. Linear.
 */
export function stripAnsi(s: string): string {
  if (!s.includes('\u001b')) return s;
  let out = '';
  let kept = 0;
  let i = s.indexOf('\u001b');
  while (i >= 0) {
    let j = i + 1;
    if (s.charCodeAt(j) === 0x5b /* [ */) {
      j += 1;
      while (j < s.length && isParam(s.charCodeAt(j))) j += 1;
      while (j < s.length && isIntermediate(s.charCodeAt(j))) j += 1;
      if (j < s.length && isFinal(s.charCodeAt(j))) {
        out += s.slice(kept, i);
        kept = j + 1;
        i = s.indexOf('\u001b', kept);
        continue;
      }
    }
    i = s.indexOf('\u001b', i + 1);
  }
  return out + s.slice(kept);
}

const isParam = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x3b || c === 0x3f;
const isIntermediate = (c: number) => c >= 0x20 && c <= 0x2f;
const isFinal = (c: number) => c >= 0x40 && c <= 0x7e;

/** The first index at or after `from` that is not whitespace (as `String.prototype.trim` sees it). */
function skipSpace(text: string, from: number): number {
  let i = from;
  // One character at a time: `\s` is exactly the set `trim` removes, and a one-character test
  // cannot backtrack.
  while (i < text.length && WHITESPACE.test(text[i])) i += 1;
  return i;
}
const WHITESPACE = /^\s$/;

function trimLeadingNewlines(s: string): string {
  let i = 0;
  while (s.charCodeAt(i) === 0x0a) i += 1;
  return i === 0 ? s : s.slice(i);
}

// Turns a session's decoded transcript entries into what the transcript pane shows.
//
// Lines are shown in file order. The CLI writes one line per content block, so assistant lines
// that follow each other directly are shown as one message. Tool results (user lines made only of
// `tool_result` blocks) are attached to their tool call instead of showing as user messages;
// `attachment` and `progress` lines are hidden; meta lines are kept but dimmed. The CLI's echoes of
// slash commands (`<command-name>…`, `<local-command-stdout>…`) become compact command and output
// lines, and its caveats to the model (`<local-command-caveat>`) are hidden (see `parseCliEcho`).
import type { Block, Entry, MessageEntry, SessionDetail } from './types';
import { toolResultText } from './tools';

export interface ToolResultView {
  text: string;
  isError: boolean;
}

interface Common {
  key: string;
  /** Subagent (sidechain) traffic. */
  sidechain: boolean;
  /** CLI-injected lines: shown dimmed. */
  dim: boolean;
  timestamp: string | null;
}

export type TranscriptItem =
  | (Common & { kind: 'user'; text: string; compactSummary: boolean })
  | (Common & {
      kind: 'assistant';
      blocks: Block[];
      model: string | null;
      /** The CLI's own stand-in message (model `<synthetic>`), e.g. "No response requested.". */
      synthetic: boolean;
      /** A stand-in for a failed API call: the one kind of assistant message shown as an error. */
      error: boolean;
    })
  | (Common & { kind: 'system'; text: string })
  /** A slash command the user ran in the CLI, e.g. `/compact` (name and arguments). */
  | (Common & { kind: 'command'; text: string })
  /** What a local command printed. */
  | (Common & { kind: 'commandOutput'; text: string })
  | (Common & { kind: 'orphanResult'; toolUseId: string; result: ToolResultView });

export interface TranscriptView {
  items: TranscriptItem[];
  toolResults: Record<string, ToolResultView>;
  /** Lines not shown (attachments, progress, bookkeeping, the CLI's notes to the model). */
  hiddenCount: number;
}

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
 * made of the known tags).
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
    const parts = OUTPUT_TAGS.flatMap((t) => out[t] ?? []).map((p) => stripAnsi(p).replace(/\s+$/, ''));
    return { kind: 'output', text: parts.filter((p) => p.trim() !== '').join('\n').replace(/^\n+/, '') };
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
 * between them), by tag name; null when anything else is in the text.
 */
function onlyTags(text: string, names: string[]): Record<string, string[]> | null {
  const found: Record<string, string[]> = {};
  const re = new RegExp(`<(${names.join('|')})>([\\s\\S]*?)</\\1>`, 'g');
  let rest = '';
  let last = 0;
  let any = false;
  for (const m of text.matchAll(re)) {
    rest += text.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    (found[m[1]] ??= []).push(m[2]);
    any = true;
  }
  rest += text.slice(last);
  return any && rest.trim() === '' ? found : null;
}

function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}

/** The line a `compact_boundary` shows: once, with how it was triggered and the size before. */
export function compactionText(meta: MessageEntry['compactMetadata']): string {
  const details: string[] = [];
  if (meta && typeof meta.trigger === 'string' && meta.trigger) details.push(meta.trigger);
  if (meta && typeof meta.preTokens === 'number' && Number.isFinite(meta.preTokens)) {
    details.push(`${meta.preTokens.toLocaleString('en-US')} tokens before`);
  }
  return details.length > 0 ? `Conversation compacted (${details.join(', ')})` : 'Conversation compacted';
}

const SYSTEM_LABEL: Record<string, string> = {
  api_error: 'API error',
};

/** Text of a system line: its label and its text, without saying the same thing twice. */
function systemText(label: string | undefined, text: string): string {
  const t = text.trim();
  if (!label) return t;
  if (!t || t.toLowerCase().startsWith(label.toLowerCase())) return t || label;
  return `${label}: ${t}`;
}

/** Whether an assistant message of the CLI (`<synthetic>`) reports a failed API call. */
export function isApiErrorText(text: string): boolean {
  return /^\s*API Error\b/i.test(text);
}

export function buildTranscriptView(detail: Pick<SessionDetail, 'transcript'>): TranscriptView {
  const entries: Entry[] = Array.isArray(detail.transcript?.entries) ? detail.transcript.entries : [];
  const items: TranscriptItem[] = [];
  const toolResults: Record<string, ToolResultView> = {};
  const toolUseIds = new Set<string>();
  let hiddenCount = 0;
  /** The assistant item the previous line added to, while nothing else came between. */
  let openAssistant: Extract<TranscriptItem, { kind: 'assistant' }> | null = null;

  /** Adds a CLI echo; returns false when the text is not one. */
  const addEcho = (common: Common, text: string): boolean => {
    const echo = parseCliEcho(text);
    if (!echo) return false;
    if (echo.kind === 'caveat' || (echo.kind === 'output' && echo.text === '')) hiddenCount += 1;
    else if (echo.kind === 'command') items.push({ ...common, dim: true, kind: 'command', text: commandLine(echo) });
    else items.push({ ...common, dim: true, kind: 'commandOutput', text: echo.text });
    return true;
  };

  entries.forEach((entry, n) => {
    if (entry?.entry !== 'message') {
      hiddenCount += 1;
      return;
    }
    const previous = openAssistant;
    openAssistant = null;
    const common: Common = {
      key: entry.uuid ?? `line-${n}`,
      sidechain: entry.isSidechain === true,
      dim: entry.isMeta === true,
      timestamp: entry.timestamp ?? null,
    };
    const blocks = blocksOf(entry);
    switch (entry.kind) {
      case 'assistant': {
        for (const b of blocks) if (b.type === 'tool_use') toolUseIds.add(b.id);
        const shown = blocks.filter((b) => b.type !== 'tool_result');
        if (shown.length === 0) {
          hiddenCount += 1;
          return;
        }
        const synthetic = entry.model === '<synthetic>';
        const error = synthetic && (entry.isApiErrorMessage === true || shown.some((b) => b.type === 'text' && isApiErrorText(b.text)));
        if (
          previous && previous.sidechain === common.sidechain && previous.dim === common.dim &&
          previous.synthetic === synthetic && previous.error === error
        ) {
          previous.blocks.push(...shown);
          openAssistant = previous;
          return;
        }
        openAssistant = { ...common, kind: 'assistant', blocks: shown, model: entry.model ?? null, synthetic, error };
        items.push(openAssistant);
        return;
      }
      case 'user': {
        const texts: string[] = [];
        blocks.forEach((b, i) => {
          if (b.type === 'tool_result') {
            const result = { text: toolResultText(b.content), isError: b.is_error === true };
            toolResults[b.tool_use_id] = result;
            if (!toolUseIds.has(b.tool_use_id)) {
              items.push({ ...common, key: `${common.key}-r${i}`, kind: 'orphanResult', toolUseId: b.tool_use_id, result });
            }
          } else if (b.type === 'text') {
            texts.push(b.text);
          } else if (b.type === 'other') {
            texts.push(otherLabel(b.raw));
          }
        });
        const text = texts.join('\n');
        if (text.trim() === '') {
          if (!blocks.some((b) => b.type === 'tool_result')) hiddenCount += 1;
          return;
        }
        if (addEcho(common, text)) return;
        const caveatText = text.startsWith('Caveat: The messages below were generated');
        if (caveatText) {
          hiddenCount += 1;
          return;
        }
        items.push({ ...common, kind: 'user', text, compactSummary: entry.isCompactSummary === true });
        return;
      }
      case 'system': {
        const text = blocks.filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text').map((b) => b.text).join('\n');
        if (entry.subtype === 'compact_boundary') {
          items.push({ ...common, dim: true, kind: 'system', text: compactionText(entry.compactMetadata) });
          return;
        }
        if (addEcho(common, text)) return; // `local_command` lines
        const label = SYSTEM_LABEL[entry.subtype ?? ''];
        if (!label && text.trim() === '') {
          hiddenCount += 1;
          return;
        }
        items.push({ ...common, dim: true, kind: 'system', text: systemText(label, text) });
        return;
      }
      default:
        hiddenCount += 1;
    }
  });
  return { items, toolResults, hiddenCount };
}

/**
 * The prompts the user typed, in order: the user messages of the main thread that are neither
 * meta lines nor compaction summaries (command echoes are separate items already).
 */
export function userPrompts(view: TranscriptView): string[] {
  return view.items
    .filter((i): i is Extract<TranscriptItem, { kind: 'user' }> => i.kind === 'user' && !i.dim && !i.sidechain && !i.compactSummary)
    .map((i) => i.text.trim());
}

function blocksOf(entry: MessageEntry): Block[] {
  if (typeof entry.content === 'string') return [{ type: 'text', text: entry.content }];
  return Array.isArray(entry.content) ? entry.content.filter((b) => b && typeof b === 'object') : [];
}

function otherLabel(raw: unknown): string {
  const type = raw && typeof raw === 'object' && 'type' in raw ? String((raw as { type: unknown }).type) : 'block';
  return `[${type}]`;
}

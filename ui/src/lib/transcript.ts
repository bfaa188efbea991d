// Turns a session's decoded transcript entries into what the transcript pane shows.
//
// Lines are shown in file order. The CLI writes one line per content block, so assistant lines
// that follow each other directly are shown as one message. Tool results (user lines made only of
// `tool_result` blocks) are attached to their tool call instead of showing as user messages;
// `attachment` and `progress` lines are hidden; meta lines are kept but dimmed. The CLI's echoes of
// slash commands (`<command-name>…`, `<local-command-stdout>…`) become compact command and output
// lines, and its caveats to the model (`<local-command-caveat>`) are hidden (see `parseCliEcho`).
//
// It works over whatever window of the file is loaded: a tool result attaches to its call when
// both are loaded; one whose call is before the window shows as an orphan result.
import { commandLine, parseCliEcho } from './echo';
import type { Block, Entry, MessageEntry, PagedEntry, TranscriptPage } from './types';
import { safeJson, toolResultText } from './tools';

/** A transcript line the backend cut to its budget: `transcript_entry` gives it whole. */
export interface CutLine {
  /** Line index in the file. */
  index: number;
  /** The line's size on disk, in bytes. */
  bytes: number;
}

export interface ToolResultView {
  text: string;
  isError: boolean;
  /** The result's line when the backend cut it (absent or null: whole). */
  cut?: CutLine | null;
}

interface Common {
  /** Unique in the transcript: the backend's key of the item's first line (`${index}:${uuid}`). */
  key: string;
  /** Index of the item's first line in the file. */
  line: number;
  /** Lines of this item the backend cut (strings shortened); empty when whole. */
  cut: CutLine[];
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
  | (Common & { kind: 'orphanResult'; toolUseId: string; result: ToolResultView })
  /** A line too large to decode: its size in bytes and its first 2 KB as text. */
  | (Common & { kind: 'tooLarge'; bytes: number; preview: string });

export interface TranscriptView {
  items: TranscriptItem[];
  toolResults: Record<string, ToolResultView>;
  /** Lines not shown (attachments, progress, bookkeeping, the CLI's notes to the model). */
  hiddenCount: number;
}

export { commandLine, onlyTags, parseCliEcho, stripAnsi, type CliEcho } from './echo';

/** The line a `compact_boundary` shows: once, with how it was triggered and the size before. */
export function compactionText(metadata: MessageEntry['compactMetadata'] | undefined): string {
  const meta = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : null;
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

/** What `buildTranscriptView` reads: loaded lines, paged (or bare entries, numbered from 0). */
export interface TranscriptSource {
  transcript: Partial<Omit<TranscriptPage, 'entries'>> & { entries: (PagedEntry | Entry)[] };
}

/** The entries as paged lines: bare `Entry`s (older callers, tests) are numbered in order. */
export function asPaged(list: readonly (PagedEntry | Entry)[]): PagedEntry[] {
  const out: PagedEntry[] = [];
  for (const e of list) {
    if (!e || typeof e !== 'object') continue;
    if (typeof e.entry === 'object' && e.entry !== null) {
      out.push(e as PagedEntry);
      continue;
    }
    const entry = e as Entry;
    const index = (out.at(-1)?.index ?? -1) + 1;
    const uuid = entry.entry === 'message' ? (entry.uuid ?? '') : '';
    out.push({ index, key: `${index}:${uuid}`, lineBytes: 0, cut: false, entry });
  }
  return out;
}

/** The items of the loaded lines (see the top of this file). */
export function buildTranscriptView(detail: TranscriptSource): TranscriptView {
  const lines = asPaged(Array.isArray(detail?.transcript?.entries) ? detail.transcript.entries : []);
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

  for (const line of lines) addLine(line);

  function addLine(line: PagedEntry): void {
    const entry = line.entry;
    const cut: CutLine[] = line.cut ? [{ index: line.index, bytes: line.lineBytes }] : [];
    if (entry?.entry === 'tooLarge') {
      openAssistant = null;
      items.push({
        key: line.key, line: line.index, cut: [], sidechain: false, dim: false, timestamp: null,
        kind: 'tooLarge', bytes: entry.bytes, preview: String(entry.preview ?? ''),
      });
      return;
    }
    if (entry?.entry !== 'message') {
      hiddenCount += 1;
      return;
    }
    const previous = openAssistant;
    openAssistant = null;
    const common: Common = {
      key: line.key,
      line: line.index,
      cut,
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
          previous.cut.push(...cut);
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
            const result: ToolResultView = { text: toolResultText(b.content), isError: b.is_error === true };
            if (cut[0]) result.cut = cut[0];
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
  }
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

/** Context key of the open transcript's "Show all": `(line: CutLine) => void` (absent in live runs). */
export const SHOW_ALL_CONTEXT = 'ccdesk.transcript.showAll';

/** Most characters `rawText` gives (the rest is said in words). */
const RAW_MAX = 100_000;

/** An item as plain text, for when it cannot be rendered (shown escaped, never as markup). */
export function rawText(item: TranscriptItem): string {
  let text: string;
  switch (item.kind) {
    case 'assistant':
      text = item.blocks
        .map((b) => {
          if (b.type === 'text') return b.text;
          if (b.type === 'thinking') return b.thinking;
          if (b.type === 'tool_use') return `${b.name} ${safeJson(b.input, 2)}`;
          return safeJson(b, 2);
        })
        .join('\n\n');
      break;
    case 'orphanResult':
      text = item.result.text;
      break;
    case 'tooLarge':
      text = item.preview;
      break;
    default:
      text = item.text;
  }
  text = typeof text === 'string' ? text : safeJson(text, 2);
  return text.length > RAW_MAX ? `${text.slice(0, RAW_MAX)}\n… (${text.length - RAW_MAX} more characters)` : text;
}

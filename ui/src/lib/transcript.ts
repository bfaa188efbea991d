// Turns a session's decoded transcript entries into what the transcript pane shows.
//
// Lines are shown in file order. The CLI writes one line per content block, so assistant lines
// that follow each other directly are shown as one message. Tool results (user lines made only of `tool_result` blocks) are
// attached to their tool call instead of showing as user messages; `attachment` and `progress`
// lines are hidden; meta lines and CLI command echoes are kept but dimmed.
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
  /** CLI-injected or command-echo lines: shown dimmed. */
  dim: boolean;
  timestamp: string | null;
}

export type TranscriptItem =
  | (Common & { kind: 'user'; text: string; compactSummary: boolean })
  | (Common & { kind: 'assistant'; blocks: Block[]; model: string | null; synthetic: boolean })
  | (Common & { kind: 'system'; text: string })
  | (Common & { kind: 'orphanResult'; toolUseId: string; result: ToolResultView });

export interface TranscriptView {
  items: TranscriptItem[];
  toolResults: Record<string, ToolResultView>;
  /** Lines not shown (attachments, progress, bookkeeping). */
  hiddenCount: number;
}

const SYSTEM_TEXT: Record<string, string> = {
  compact_boundary: 'Conversation compacted',
  api_error: 'API error',
};

export function buildTranscriptView(detail: Pick<SessionDetail, 'transcript'>): TranscriptView {
  const entries: Entry[] = Array.isArray(detail.transcript?.entries) ? detail.transcript.entries : [];
  const items: TranscriptItem[] = [];
  const toolResults: Record<string, ToolResultView> = {};
  const toolUseIds = new Set<string>();
  let hiddenCount = 0;
  /** The assistant item the previous line added to, while nothing else came between. */
  let openAssistant: Extract<TranscriptItem, { kind: 'assistant' }> | null = null;

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
        if (previous && previous.sidechain === common.sidechain && previous.dim === common.dim && previous.synthetic === synthetic) {
          previous.blocks.push(...shown);
          openAssistant = previous;
          return;
        }
        openAssistant = { ...common, kind: 'assistant', blocks: shown, model: entry.model ?? null, synthetic };
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
        const echo = /^\s*<(local-)?command-/.test(text) || text.startsWith('Caveat: The messages below were generated');
        items.push({ ...common, dim: common.dim || echo, kind: 'user', text, compactSummary: entry.isCompactSummary === true });
        return;
      }
      case 'system': {
        const text = blocks.filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text').map((b) => b.text).join('\n');
        const label = SYSTEM_TEXT[entry.subtype ?? ''];
        if (!label && text.trim() === '') {
          hiddenCount += 1;
          return;
        }
        items.push({ ...common, dim: true, kind: 'system', text: label && text ? `${label}: ${text}` : label ?? text });
        return;
      }
      default:
        hiddenCount += 1;
    }
  });
  return { items, toolResults, hiddenCount };
}

function blocksOf(entry: MessageEntry): Block[] {
  if (typeof entry.content === 'string') return [{ type: 'text', text: entry.content }];
  return Array.isArray(entry.content) ? entry.content.filter((b) => b && typeof b === 'object') : [];
}

function otherLabel(raw: unknown): string {
  const type = raw && typeof raw === 'object' && 'type' in raw ? String((raw as { type: unknown }).type) : 'block';
  return `[${type}]`;
}

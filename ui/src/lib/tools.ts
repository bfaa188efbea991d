// Short, human previews of tool calls and results for the collapsed view.

/** Tools whose call runs a subagent. */
export function isSubagentTool(name: string): boolean {
  return name === 'Task' || name === 'Agent';
}

const PREVIEW_MAX = 160;

/** One line that says what a tool call does: the Bash command, the file path, the pattern... */
export function toolPreview(name: string, input: unknown): string {
  const o = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : null);
  let text: string | null = null;
  switch (name) {
    case 'Bash':
      text = s('command');
      break;
    case 'Read':
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      text = s('file_path');
      break;
    case 'NotebookEdit':
      text = s('notebook_path') ?? s('file_path');
      break;
    case 'Glob':
    case 'Grep':
      text = [s('pattern'), s('path')].filter(Boolean).join(' in ') || null;
      break;
    case 'WebFetch':
      text = s('url');
      break;
    case 'WebSearch':
      text = s('query');
      break;
    case 'Task':
    case 'Agent': {
      const kind = s('subagent_type');
      text = [s('description'), kind ? `(${kind})` : null].filter(Boolean).join(' ') || s('prompt');
      break;
    }
    case 'TodoWrite':
      text = Array.isArray(o.todos) ? `${o.todos.length} todo${o.todos.length === 1 ? '' : 's'}` : null;
      break;
    default:
      break;
  }
  if (text === null) {
    const firstString = Object.values(o).find((v): v is string => typeof v === 'string');
    text = firstString ?? (Object.keys(o).length > 0 ? safeJson(o) : '');
  }
  return oneLine(text);
}

/** A tool result's content (a string or an array of blocks) as plain text. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((b) => {
        if (b && typeof b === 'object' && 'type' in b) {
          const block = b as { type: unknown; text?: unknown };
          if (block.type === 'text' && typeof block.text === 'string') return block.text;
          if (block.type === 'image') return '[image]';
        }
        return safeJson(b);
      })
      .join('\n');
  }
  return safeJson(content);
}

/** Pretty JSON that never throws (cycles, BigInt). */
export function safeJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}

export function oneLine(text: string, max = PREVIEW_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

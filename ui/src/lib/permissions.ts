// Permission prompts in words: the preview's diff as signed lines, and what "Allow for this
// session" would apply (the CLI's suggested permission updates), as plain text.
import { isObject, str } from './json';
import type { PermissionMode, PermissionRequest } from './types';

export interface DiffLine {
  /** `-` removed, `+` added, ` ` anything else (context, the "… more chars" note). */
  sign: '-' | '+' | ' ';
  text: string;
}

/** Splits a preview diff (`-old` / `+new` lines) into signed lines; the text keeps no sign. */
export function diffLines(diff: string): DiffLine[] {
  const lines = diff.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    const first = line.charAt(0);
    if (first === '-' || first === '+') return { sign: first, text: line.slice(1) };
    return { sign: ' ', text: line };
  });
}

/**
 * How long a permission card takes no click after it appears, in ms. It appears where the last
 * one was answered, under the pointer: the second click of a double click on "Allow once" must
 * not answer the next tool call unseen.
 */
let armMs = 400;

/** {@link armMs} now. */
export function permissionCardArmMs(): number {
  return armMs;
}

/** Sets {@link armMs} (tests that click a card as soon as it shows use 0). */
export function setPermissionCardArmMs(ms: number): void {
  armMs = ms;
}

/** The suggestions as a list, or empty when there are none (not an array, or an empty one). */
export function suggestionList(req: Pick<PermissionRequest, 'suggestions'>): unknown[] {
  return Array.isArray(req.suggestions) ? req.suggestions : [];
}

/** "Allow for this session" is offered only when the CLI suggested something to allow. */
export function canAllowSession(req: Pick<PermissionRequest, 'suggestions'>): boolean {
  return suggestionList(req).length > 0;
}

/**
 * The permission modes ccdesk offers (the backend's `PermissionMode`), in menu order, with the
 * label every menu shows. `Record<PermissionMode, ...>` makes a mode added in Rust fail the type
 * check until it has a label here.
 */
const MODE_LABELS: Record<PermissionMode, string> = {
  default: 'default (ask)',
  acceptEdits: 'accept edits',
  plan: 'plan',
};

/** The menu of permission modes: value and label, in order. */
export const PERMISSION_MODES: readonly { value: PermissionMode; label: string }[] = (
  Object.keys(MODE_LABELS) as PermissionMode[]
).map((value) => ({ value, label: MODE_LABELS[value] }));

/** Whether `mode` (a mode the CLI reports) is one ccdesk offers. */
export function isOfferedMode(mode: string): mode is PermissionMode {
  return Object.hasOwn(MODE_LABELS, mode);
}

const MODE_WORDS: Record<string, string> = {
  default: 'default (ask before tools)',
  acceptEdits: 'accept edits',
  plan: 'plan',
  bypassPermissions: 'bypass permissions',
  dontAsk: "don't ask",
};

const DESTINATIONS: Record<string, string> = {
  session: 'for this session',
  localSettings: 'saved to the local settings',
  projectSettings: 'saved to the project settings',
  userSettings: 'saved to your user settings',
  cliArg: 'for this session',
};

/** Each suggested permission update in words, e.g. "switch to accept edits mode, for this session". */
export function describeSuggestions(req: Pick<PermissionRequest, 'suggestions'>): string[] {
  return suggestionList(req).map(describeSuggestion);
}

function describeSuggestion(s: unknown): string {
  if (!isObject(s)) return JSON.stringify(s) ?? String(s);
  const where = DESTINATIONS[str(s.destination) ?? ''] ?? (str(s.destination) ? `(${str(s.destination)})` : '');
  const tail = where ? `, ${where}` : '';
  switch (str(s.type)) {
    case 'setMode': {
      const mode = str(s.mode) ?? '?';
      return `switch to ${MODE_WORDS[mode] ?? mode} mode${tail}`;
    }
    case 'addRules':
    case 'replaceRules':
    case 'removeRules': {
      const rules = Array.isArray(s.rules) ? s.rules.map(ruleText) : [];
      const behavior = str(s.behavior) ?? 'allow';
      const verb = s.type === 'removeRules' ? `remove ${behavior} rule` : s.type === 'replaceRules' ? `set ${behavior} rules to` : `${behavior}`;
      return `${verb} ${rules.join(', ') || '(no rules)'}${tail}`;
    }
    case 'addDirectories':
    case 'removeDirectories': {
      const dirs = Array.isArray(s.directories) ? s.directories.filter((d) => typeof d === 'string') : [];
      const verb = s.type === 'addDirectories' ? 'allow access to' : 'remove access to';
      return `${verb} ${dirs.join(', ') || '(no directories)'}${tail}`;
    }
    default:
      return JSON.stringify(s);
  }
}

/** `Bash(npm test:*)` style, as the CLI writes rules. */
function ruleText(rule: unknown): string {
  if (!isObject(rule)) return String(rule);
  const tool = str(rule.toolName) ?? '?';
  const content = str(rule.ruleContent);
  return content ? `${tool}(${content})` : tool;
}

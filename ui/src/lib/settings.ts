// The settings form: Settings (ms, nulls) ⇄ what the form edits (seconds and minutes as text,
// blanks), and the colour theme applied to the document. No DOM beyond the element given.
import type { PermissionMode, Settings, Theme } from './types';

export interface SettingsForm {
  claudePath: string;
  configDir: string;
  /** The terminal of "Open in terminal"; blank: found automatically. */
  terminal: string;
  /** The first config dir's name; blank: "default". */
  configDirName: string;
  /** More config dirs listed beside the first (another account's), each named. */
  moreConfigDirs: { name: string; configDir: string }[];
  defaultModel: string;
  defaultPermissionMode: PermissionMode;
  maxSessions: string;
  /** Seconds. */
  firstChunkTimeoutS: string;
  /** Seconds. */
  ongoingTimeoutS: string;
  /** Minutes. */
  ttlMin: string;
  /** Minutes. */
  stuckAfterMin: string;
  /** Seconds (how often the pool checks its timeouts). */
  sweepIntervalS: string;
  /** Seconds. */
  interruptGraceS: string;
  /** Seconds. */
  interruptTimeoutS: string;
  reconnectAttempts: string;
  /** Seconds. */
  reconnectBackoffS: string;
  trayRecent: string;
  closeToTray: boolean;
  notifications: boolean;
  theme: Theme;
  /** Keep a copy of every transcript in the vault. */
  vaultOn: boolean;
  /** The vault's cap, MiB. */
  vaultMaxMb: string;
}

const num = (n: number) => String(Math.round(n * 1000) / 1000);

export function toForm(s: Settings): SettingsForm {
  return {
    claudePath: s.claudePath ?? '',
    configDir: s.configDir ?? '',
    terminal: s.terminal ?? '',
    configDirName: s.configDirName ?? '',
    moreConfigDirs: s.moreConfigDirs.map((p) => ({ name: p.name, configDir: p.configDir })),
    defaultModel: s.defaultModel ?? '',
    defaultPermissionMode: s.defaultPermissionMode,
    maxSessions: String(s.pool.maxSessions),
    firstChunkTimeoutS: num(s.pool.firstChunkTimeoutMs / 1000),
    ongoingTimeoutS: num(s.pool.ongoingTimeoutMs / 1000),
    ttlMin: num(s.pool.ttlMs / 60_000),
    stuckAfterMin: num(s.pool.stuckAfterMs / 60_000),
    sweepIntervalS: num(s.pool.sweepIntervalMs / 1000),
    interruptGraceS: num(s.pool.interruptGraceMs / 1000),
    interruptTimeoutS: num(s.pool.interruptTimeoutMs / 1000),
    reconnectAttempts: String(s.pool.reconnectAttempts),
    reconnectBackoffS: num(s.pool.reconnectBackoffMs / 1000),
    trayRecent: String(s.trayRecent),
    closeToTray: s.closeToTray,
    notifications: s.notifications,
    theme: s.theme,
    vaultOn: s.vault.enabled === true,
    vaultMaxMb: String(s.vault.maxMb),
  };
}

/**
 * The settings the form describes, on top of `base` (fields the form does not show are kept), or
 * the first field that is not a number (counts: not a whole number). Range checks are the
 * backend's (one set of rules).
 */
export function fromForm(form: SettingsForm, base: Settings): { settings: Settings } | { error: string } {
  // Number inputs bound by Svelte hold numbers (or null when empty), text inputs strings.
  const parse = (label: string, value: string | number | null, unitMs: number): number | string => {
    const text = value === null || value === undefined ? '' : String(value).trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < 0) return `${label}: "${text}" is not a number`;
    return Math.round(n * unitMs);
  };
  const count = (label: string, value: string | number | null): number | string => {
    const n = parse(label, value, 1);
    const text = String(value ?? '').trim();
    if (typeof n === 'number' && !Number.isInteger(Number(text))) return `${label}: "${text}" is not a whole number`;
    return n;
  };
  const fields = {
    maxSessions: count('Pool size', form.maxSessions),
    firstChunkTimeoutMs: parse('First output timeout', form.firstChunkTimeoutS, 1000),
    ongoingTimeoutMs: parse('Silence timeout', form.ongoingTimeoutS, 1000),
    ttlMs: parse('Idle session lifetime', form.ttlMin, 60_000),
    stuckAfterMs: parse('Stuck after', form.stuckAfterMin, 60_000),
    sweepIntervalMs: parse('Timeout check interval', form.sweepIntervalS, 1000),
    interruptGraceMs: parse('Interrupt grace', form.interruptGraceS, 1000),
    interruptTimeoutMs: parse('Interrupt timeout', form.interruptTimeoutS, 1000),
    reconnectAttempts: count('Retries of a failed restart', form.reconnectAttempts),
    reconnectBackoffMs: parse('First retry after', form.reconnectBackoffS, 1000),
    trayRecent: count('Recent sessions in the tray', form.trayRecent),
    vaultMaxMb: count('Vault size cap', form.vaultMaxMb),
  };
  for (const v of Object.values(fields)) if (typeof v === 'string') return { error: v };
  const n = fields as Record<keyof typeof fields, number>;
  const blank = (t: string) => (t.trim() === '' ? null : t.trim());
  return {
    settings: {
      ...base,
      claudePath: blank(form.claudePath),
      configDir: blank(form.configDir),
      terminal: blank(form.terminal),
      configDirName: blank(form.configDirName),
      // Rows left blank are dropped; a half-filled one goes to the backend, which names the fault.
      moreConfigDirs: form.moreConfigDirs
        .map((p) => ({ name: p.name.trim(), configDir: p.configDir.trim() }))
        .filter((p) => p.name !== '' || p.configDir !== ''),
      defaultModel: blank(form.defaultModel),
      defaultPermissionMode: form.defaultPermissionMode,
      pool: {
        ...base.pool,
        maxSessions: n.maxSessions,
        firstChunkTimeoutMs: n.firstChunkTimeoutMs,
        ongoingTimeoutMs: n.ongoingTimeoutMs,
        ttlMs: n.ttlMs,
        stuckAfterMs: n.stuckAfterMs,
        sweepIntervalMs: n.sweepIntervalMs,
        interruptGraceMs: n.interruptGraceMs,
        interruptTimeoutMs: n.interruptTimeoutMs,
        reconnectAttempts: n.reconnectAttempts,
        reconnectBackoffMs: n.reconnectBackoffMs,
      },
      trayRecent: n.trayRecent,
      closeToTray: form.closeToTray,
      notifications: form.notifications,
      theme: form.theme,
      // Not asked yet and left off: still not asked (the first start's question stays).
      vault: { enabled: form.vaultOn ? true : base.vault.enabled === null ? null : false, maxMb: n.vaultMaxMb },
    },
  };
}

/** The scheme in effect: the setting, or the OS's preference for `system`. */
export function resolveTheme(theme: Theme, prefersDark: boolean): 'light' | 'dark' {
  if (theme === 'system') return prefersDark ? 'dark' : 'light';
  return theme;
}

/** Sets `data-theme` on `root` (the stylesheet's light and dark variables key on it). */
export function applyTheme(root: HTMLElement, theme: Theme, prefersDark: boolean): void {
  root.dataset.theme = resolveTheme(theme, prefersDark);
}

/** Where `claude` was found, in words. */
export function sourceLabel(source: string): string {
  switch (source) {
    case 'setting':
      return 'the path set here';
    case 'envOverride':
      return '$CCDESK_CLAUDE';
    case 'path':
      return 'PATH';
    case 'loginShell':
      return "your login shell's PATH";
    case 'claudeLocal':
      return '~/.claude/local';
    case 'npmGlobal':
      return "npm's global bin";
    default:
      return source;
  }
}

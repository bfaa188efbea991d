// The GUI benchmark's driver (run by tests/bench/gui.sh, which starts Xvfb, a session bus and
// tauri-driver and exports what is read below). Not a test: it prints figures, never fails on them.
//
// Per run (BENCH_RUNS, default 3), in this order:
//   - the app on the one-session config dir: launch to list, PSS after the list is shown;
//   - the app on the scale config dir (10,000 sessions, 500 projects, one 200 MB transcript):
//     launch to list, PSS, then the 200 MB transcript opened, "Jump to start", "Jump to end",
//     timed inside the page, with the PSS before and after, then a title line appended to a
//     listed transcript BENCH_APPENDS (20) times until its row shows it (p50, p95);
//   - `ccdesk show <big id> --json > /dev/null`: wall time and max RSS.
// Then, headless, `ccdesk show --tail 200 --json` of a 1 GB transcript and `ccdesk show --json` of
// one 200 MB line with no newline (both made once in BENCH_TMP): wall time and max RSS.
// Medians of the runs are printed as a table on stdout; progress goes to stderr.
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, writeSync,
} from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Builder } from '../e2e/node_modules/selenium-webdriver/index.js';
import { reveal, selectProjectKey } from '../e2e/histories.js';
import { env, storeFile, until } from '../e2e/lib.js';

const RUNS = Number(process.env.BENCH_RUNS || 3);
const APP = env('E2E_APP');
const SCALE = JSON.parse(readFileSync(`${env('BENCH_SCALE_DIR')}/manifest.json`, 'utf8'));
const BASE = JSON.parse(readFileSync(`${env('BENCH_BASE_DIR')}/manifest.json`, 'utf8'));
const BIG = SCALE.sessions.find((s) => s.big);
const FIRST_TEXT = BIG.first[0];
const LAST_TEXT = BIG.last[0];
/** How long the app is left alone after the list shows before its PSS is read (ms). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 2000);

const log = (...a) => console.error('[bench]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wall clock in ms since the epoch, sub-ms resolution (comparable with the page's timeOrigin + now()). */
const wall = () => performance.timeOrigin + performance.now();

// ---- processes and memory ------------------------------------------------------------------------

/** Map pid -> ppid of every process. */
function parents() {
  const m = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(Number(e), Number(rest[1]));
    } catch {
      // gone
    }
  }
  return m;
}

/** The app's pid and all its descendants, with their names. */
function appTree(appPid) {
  const pp = parents();
  const tree = [appPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of pp) if (ppid === tree[i]) tree.push(pid);
  return tree.map((pid) => {
    let name = '?';
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // gone
    }
    return { pid, name };
  });
}

/** PSS and USS (Private_Clean + Private_Dirty) of one process in KiB, from smaps_rollup; 0 when gone. */
function memKiB(pid) {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const f = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
    return { pss: f('Pss'), uss: f('Private_Clean') + f('Private_Dirty') };
  } catch {
    return { pss: 0, uss: 0 };
  }
}

/** PSS (and USS) of the app and its descendants in MiB, and the per-process split. */
function treePss(appPid) {
  const procs = appTree(appPid).map((p) => ({ ...p, ...memKiB(p.pid) }));
  return {
    mib: procs.reduce((a, p) => a + p.pss, 0) / 1024,
    uss: procs.reduce((a, p) => a + p.uss, 0) / 1024,
    procs: procs.map((p) => ({ ...p, kib: p.pss })),
  };
}

const APP_REAL = realpathSync(APP);
const DRIVER_PID = Number(env('BENCH_DRIVER_PID'));

/** True when `pid` is a live ccdesk app (the binary of E2E_APP, not its watchdog, not a zombie). */
function isApp(pid) {
  try {
    if (readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') !== APP_REAL) return false;
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--ccdesk-reaper')) return false;
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The ccdesk apps started by this benchmark's tauri-driver (descendants of its pid): other
 * ccdesk processes on the machine (an e2e run beside this one) are not ours.
 */
function ourApps() {
  return appTree(DRIVER_PID).map((p) => p.pid).filter(isApp);
}

/** The pid of the app just launched. */
function theAppPid() {
  const pids = ourApps();
  if (pids.length !== 1) throw new Error(`expected one ccdesk app under tauri-driver, found ${pids.length} (${pids.join(', ')})`);
  return pids[0];
}

/** Whether the single-instance name is still owned on this benchmark's private bus. */
function instanceNameOwned() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  try {
    const out = execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner', 'string:dev.ccdesk.app.SingleInstance'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /boolean true/.test(out);
  } catch {
    return false;
  }
}

/** Waits until the previous app is gone and its single-instance name free (see tests/e2e/lib.js). */
function appsGone(ms = 30_000) {
  return until('the previous ccdesk app to exit', () => ourApps().length === 0 && !instanceNameOwned(), ms);
}

/** Other busy processes on the machine (not this benchmark's): a note for the output. */
function otherLoad() {
  const ours = new Set(appTree(DRIVER_PID).map((p) => p.pid));
  const busy = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || ours.has(Number(e))) continue;
    try {
      const comm = readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if (/^(ccdesk|WebKitWebProces|cargo|rustc|cc1|ld|WebKitWebDriver)$/.test(comm)) busy.set(comm, (busy.get(comm) ?? 0) + 1);
    } catch {
      // gone
    }
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return `load average ${load}; other processes: ${[...busy].map(([k, v]) => `${k} x${v}`).join(', ') || 'none'}`;
}

/** When `pid` started, in ms since the epoch (/proc/<pid>/stat starttime, clock ticks of 10 ms). */
function startedAt(pid) {
  const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))[1]);
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
  return btime * 1000 + ticks * 10;
}

/** Samples the tree's PSS every `every` ms until stopped; returns the peak (MiB). */
function pssSampler(appPid, every = 150) {
  let peak = 0;
  const tick = () => {
    peak = Math.max(peak, treePss(appPid).mib);
  };
  tick();
  const timer = setInterval(tick, every);
  return () => {
    clearInterval(timer);
    tick();
    return peak;
  };
}

// ---- in-page timing ----------------------------------------------------------------------------------

/**
 * The script run inside the webview (executeAsyncScript): does `action`, then watches the DOM
 * (MutationObserver, and each animation frame) for the conditions; each one's time is
 * performance.now() when it was first seen true, minus the time just before the action, and
 * "painted": the same after the next animation frame and a task (the frame showing it was drawn).
 * Gives up after `limit` ms.
 */
const PAGE_WATCH = `
const [action, arg, conds, limit, done] = arguments;
const q = (s, root = document) => root.querySelector(s);
const transcript = () => q('[data-testid="transcript"][data-state="ready"]');
const onScreen = (el) => {
  const r = el.getBoundingClientRect();
  const list = el.closest('[data-testid="transcript"]');
  const b = (list && list.querySelector('.list') ? list.querySelector('.list') : document.documentElement).getBoundingClientRect();
  return r.height > 0 && r.bottom > b.top && r.top < b.bottom && r.bottom > 0 && r.top < innerHeight;
};
const test = {
  // The project list (virtual: the rows in sight) holds every project, and the first project's
  // sessions are listed.
  listed: (c) => Number(q('[data-testid="project-list"]')?.getAttribute('data-count')) >= c.projects &&
    !!q('[data-testid="project-item"]') && !!q('[data-testid="session-item"]'),
  item: () => { const t = transcript(); return !!(t && q('[data-testid="transcript-item"]', t)); },
  text: (c) => {
    const t = transcript();
    if (!t) return false;
    for (const it of t.querySelectorAll('[data-testid="transcript-item"]')) if (it.textContent.includes(c.text) && onScreen(it)) return true;
    return false;
  },
};
const marks = {};
let finished = false;
let mo = null;
let initial = false;
const finish = (extra) => {
  if (finished) return;
  finished = true;
  if (mo) mo.disconnect();
  done({ marks, t0, timeOrigin: performance.timeOrigin, ...extra,
    items: document.querySelectorAll('[data-testid="transcript-item"]').length,
    range: (q('[data-testid="transcript-range"]') || {}).textContent || '',
    // The backend calls made since just before the action, or since navigation when there is
    // none (ipc.ts records each as a measure): [command, start after t0 or navigation, round trip] (ms).
    ipc: performance.getEntriesByType('measure')
      .filter((m) => m.name.startsWith('ipc ') && (action === 'none' || m.startTime + m.duration >= t0))
      .map((m) => [m.name.slice(4), Math.round(m.startTime - (action === 'none' ? 0 : t0)), Math.round(m.duration)]),
    // The window's own marks (ui/src/lib/marks.ts) since the action: [name, ms after t0].
    steps: action === 'none' ? [] : performance.getEntriesByType('mark')
      .filter((m) => m.name.startsWith('ccdesk:') && m.startTime >= t0)
      .map((m) => [m.name.slice(7), Math.round(m.startTime - t0)]),
    frames: frames.slice(0, 40),
    stalls: stalls.slice(0, 40),
    layoutAfterClick,
    errors: Array.isArray(window.__ccdeskErrors) ? window.__ccdeskErrors.map(String) : [] });
};
const check = () => {
  if (finished) return;
  const now = performance.now();
  for (const c of conds) {
    if (marks[c.name] || !test[c.kind](c)) continue;
    const m = (marks[c.name] = { seen: now - t0, already: initial });
    requestAnimationFrame(() => setTimeout(() => {
      m.painted = performance.now() - t0;
      if (conds.every((x) => marks[x.name] && marks[x.name].painted !== undefined)) finish({});
    }, 0));
  }
};
let t0 = performance.now();
let before = null;
let layoutAfterClick = null;
if (action === 'open') {
  const row = [...document.querySelectorAll('[data-testid="session-item"]')].find((e) => e.getAttribute('data-session-key') === arg);
  if (!row) return done({ error: 'no session-item ' + arg });
  before = !!q('[data-testid="transcript"]');
  t0 = performance.now();
  row.click();
  // The first task after the click (the window has updated its DOM by then): how long a forced
  // style and layout takes, to tell layout from painting in the time to the next frame.
  queueMicrotask(() => queueMicrotask(() => {
    const a = performance.now();
    void getComputedStyle(document.body).color;
    const b = performance.now();
    void document.documentElement.offsetHeight;
    layoutAfterClick = [Math.round(a - t0), Math.round(b - a), Math.round(performance.now() - b), document.querySelectorAll('*').length];
  }));
} else if (action === 'jump-start' || action === 'jump-end') {
  const b = q('[data-testid="transcript-' + action + '"]');
  if (!b) return done({ error: 'no button ' + action });
  t0 = performance.now();
  b.click();
}
// Each animation frame until the end: [ms after t0, DOM mutations since the frame before].
const frames = [];
let mutations = 0;
mo = new MutationObserver((records) => { mutations += records.length; check(); });
mo.observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
// Stretches when the page's main thread ran no task for over 16 ms: [ms after t0, length].
const stalls = [];
let beat = performance.now();
const hb = new MessageChannel();
hb.port1.onmessage = () => {
  const now = performance.now();
  if (now - beat > 16) stalls.push([Math.round(beat - t0), Math.round(now - beat)]);
  beat = now;
  if (!finished) hb.port2.postMessage(0);
};
hb.port2.postMessage(0);
const frame = () => {
  if (finished) return;
  frames.push([Math.round(performance.now() - t0), mutations]);
  mutations = 0;
  check();
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
initial = true;
check();
initial = false;
setTimeout(() => finish({ timeout: true, transcriptBefore: before }), limit);
`;

async function watch(driver, action, arg, conds, limit = 60_000) {
  const r = await driver.executeAsyncScript(PAGE_WATCH, action, arg, conds, limit);
  if (r.error) throw new Error(r.error);
  if (r.errors?.length) log(`webview errors: ${r.errors.join(' | ')}`);
  if (r.timeout) log(`${action}: timed out after ${limit} ms: ${JSON.stringify(r)}`);
  if (r.ipc?.length) log(`  ${action}: backend calls [command@start +round trip ms]: ${r.ipc.map(([c, at, d]) => `${c}@${at}+${d}`).join(' ')}`);
  if (r.steps?.length) log(`  ${action}: the window's steps [name@ms]: ${r.steps.map(([n, at]) => `${n}@${at}`).join(' ')}`);
  const seen = Object.entries(r.marks || {}).map(([n, m]) => `${n}@${Math.round(m.seen)}/${Math.round(m.painted ?? NaN)}`);
  if (action !== 'none' && seen.length) log(`  ${action}: conditions [name@seen/painted ms]: ${seen.join(' ')}`);
  if (r.layoutAfterClick) log(`  ${action}: at ${r.layoutAfterClick[0]} ms a forced style took ${r.layoutAfterClick[1]} ms, then layout ${r.layoutAfterClick[2]} ms (${r.layoutAfterClick[3]} elements)`);
  if (action !== 'none' && r.stalls?.length) log(`  ${action}: main thread busy [from ms, for ms]: ${r.stalls.map(([t, n]) => `${t}+${n}`).join(' ')}`);
  if (action !== 'none' && r.frames?.length) log(`  ${action}: frames [ms after the click, mutations]: ${r.frames.map(([t, n]) => `${t}:${n}`).join(' ')}`);
  return r;
}

// ---- one launch ------------------------------------------------------------------------------------

/**
 * Starts the app through `wrapper` and times it from the WebDriver new-session request until the
 * project list shows all `projects` items and the first project's sessions are listed (seen in the
 * page, then painted). Returns { driver, pid, ms, ... }.
 */
async function launch(wrapper, projects) {
  await appsGone(30_000);
  rmSync(storeFile('settings.json'), { force: true });
  const t0 = wall();
  const driver = await new Builder()
    .usingServer(env('E2E_WEBDRIVER_URL'))
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: wrapper } })
    .build();
  const tSession = wall();
  await driver.manage().setTimeouts({ implicit: 0, pageLoad: 60_000, script: 120_000 });
  const pid = theAppPid();
  const r = await watch(driver, 'none', null, [{ name: 'listed', kind: 'listed', projects }], 90_000);
  if (r.timeout) throw Object.assign(new Error('the list did not show'), { driver });
  const listed = r.timeOrigin + r.t0 + r.marks.listed.painted; // epoch ms
  if (r.marks.listed.already) log('  the list was there when the page was first asked: the launch time is an upper bound');
  return {
    driver,
    pid,
    already: r.marks.listed.already,
    procMs: listed - startedAt(pid), // the app's process start (10 ms ticks) -> list painted
    ms: listed - t0, // new-session request -> list painted
    sessionMs: tSession - t0, // until WebDriver had its session (page loaded)
    navMs: r.t0 + r.marks.listed.painted, // page navigation start -> list painted
  };
}

async function quitApp(driver) {
  try {
    await Promise.race([driver.quit(), sleep(15_000)]);
  } catch {
    // gone already
  }
  await appsGone(30_000).catch((e) => log(e.message));
}

/** Launch, list and memory of one config dir; with `big`, the 200 MB transcript too. */
async function runOnce(label, wrapper, manifest, big) {
  const projects = manifest.projects.length;
  const l = await launch(wrapper, projects);
  const out = { launchMs: l.ms, sessionMs: l.sessionMs, navMs: l.navMs, procMs: l.procMs, already: l.already };
  try {
    await sleep(SETTLE_MS);
    const p = treePss(l.pid);
    out.pss = p.mib;
    out.uss = p.uss;
    out.procs = p.procs.map((x) => `${x.name}:${x.pid}=${(x.kib / 1024).toFixed(0)}M`).join(' ');
    log(`${label}: list in ${l.ms.toFixed(0)} ms (WebDriver session ${l.sessionMs.toFixed(0)} ms, process start->list ${l.procMs.toFixed(0)} ms, navigation->list ${l.navMs.toFixed(0)} ms); PSS ${p.mib.toFixed(1)} MiB (USS ${p.uss.toFixed(1)}) [${out.procs}]`);
    if (big) {
      // The 200 MB transcript first: the appends select another project, which the open's
      // timing must not start from.
      Object.assign(out, await bigTranscript(l.driver, l.pid));
      const appended = await appendToList(l.driver, manifest, label);
      const ok = appended.filter((t) => t !== null).sort((a, b) => a - b);
      out.appendP50 = ok.length ? ok[Math.floor((ok.length - 1) * 0.5)] : NaN;
      out.appendP95 = ok.length ? ok[Math.ceil((ok.length - 1) * 0.95)] : NaN;
      out.appendMissed = appended.length - ok.length;
      log(`  ${label}: a line appended -> its row updated, ms: ${appended.map((t) => (t === null ? 'missed' : t.toFixed(0))).join(' ')}`);
    }
  } finally {
    await quitApp(l.driver);
  }
  return out;
}

const APPENDS = Number(process.env.BENCH_APPENDS || 20);

/**
 * Appends a title line (`custom-title`, as `/rename` writes it) to a listed session's transcript
 * APPENDS times, each time timing from the write (wall clock) until the session's row shows the
 * new title, painted (the page's clock: a MutationObserver, then the next frame). Returns the ms
 * of each append (null: not shown within 5 s).
 */
async function appendToList(driver, manifest, run) {
  const s = manifest.sessions.find((x) => x.listed && !x.big);
  await selectProjectKey(driver, s.project);
  await reveal(driver, 'session-item', 'data-session-key', s.key);
  const file = `${manifest.config}/projects/${s.dir}/${s.id}.jsonl`;
  const times = [];
  for (let i = 0; i < APPENDS; i++) {
    const title = `bench append ${run}-${i}`;
    const seen = driver.executeAsyncScript(
      `const [key, title, done] = arguments;
       const shown = () => [...document.querySelectorAll('[data-testid="session-item"]')]
         .some((e) => e.getAttribute('data-session-key') === key && e.textContent.includes(title));
       const stop = (v) => { obs.disconnect(); clearTimeout(timer); done(v); };
       const obs = new MutationObserver(() => {
         if (shown()) requestAnimationFrame(() => stop(performance.timeOrigin + performance.now()));
       });
       obs.observe(document.body, { subtree: true, childList: true, characterData: true });
       const timer = setTimeout(() => stop(null), 5000);`,
      s.key,
      title,
    );
    await sleep(50); // the observer is in place
    const t0 = wall();
    appendFileSync(file, `${JSON.stringify({ type: 'custom-title', customTitle: title, sessionId: s.id })}\n`);
    const at = await seen;
    times.push(at === null ? null : at - t0);
    await sleep(150);
  }
  return times;
}

/** Opens the 200 MB transcript, jumps to its start and back to its end; times and PSS. */
async function bigTranscript(driver, pid) {
  await selectProjectKey(driver, BIG.project);
  await reveal(driver, 'session-item', 'data-session-key', BIG.key);
  await sleep(1000);
  const m0 = treePss(pid);
  const before = m0.mib;
  let stop = pssSampler(pid);
  const open = await watch(driver, 'open', BIG.key, [
    { name: 'item', kind: 'item' },
    { name: 'end', kind: 'text', text: LAST_TEXT },
  ]);
  await sleep(1000);
  const m1 = treePss(pid);
  const afterOpen = m1.mib;
  const peakOpen = stop();
  stop = pssSampler(pid);
  const start = await watch(driver, 'jump-start', null, [{ name: 'first', kind: 'text', text: FIRST_TEXT }]);
  await sleep(500);
  const end = await watch(driver, 'jump-end', null, [{ name: 'last', kind: 'text', text: LAST_TEXT }]);
  await sleep(1000);
  const m2 = treePss(pid);
  const afterJumps = m2.mib;
  const peakJumps = stop();
  const r = {
    openItemMs: open.marks.item?.painted ?? NaN,
    openItemSeenMs: open.marks.item?.seen ?? NaN,
    openEndMs: open.marks.end?.painted ?? NaN,
    jumpStartMs: start.marks.first?.painted ?? NaN,
    jumpEndMs: end.marks.last?.painted ?? NaN,
    pssBefore: before,
    growOpen: afterOpen - before,
    growJumps: afterJumps - before,
    growPeak: Math.max(peakOpen, peakJumps) - before,
    ussGrowOpen: m1.uss - m0.uss,
    ussGrowJumps: m2.uss - m0.uss,
    items: open.items,
    range: open.range.trim(),
  };
  log(`  200 MB transcript: first item ${r.openItemMs.toFixed(0)} ms (in the DOM at ${r.openItemSeenMs.toFixed(0)} ms), end on screen ${r.openEndMs.toFixed(0)} ms (${r.items} items, ${r.range}); ` +
    `jump to start ${r.jumpStartMs.toFixed(0)} ms, jump to end ${r.jumpEndMs.toFixed(0)} ms; ` +
    `PSS ${before.toFixed(0)} MiB, +${r.growOpen.toFixed(0)} open, +${r.growJumps.toFixed(0)} after jumps, +${r.growPeak.toFixed(0)} peak`);
  return r;
}

// ---- the headless CLI ----------------------------------------------------------------------------------

/** `ccdesk show <id> --json [args] > /dev/null`: wall time (ms) and max RSS (MiB). */
function cliShow(id, config, args = []) {
  const hasTime = (() => {
    try {
      return statSync('/usr/bin/time').isFile();
    } catch {
      return false;
    }
  })();
  const show = ['show', id, '--json', ...args];
  const cmd = hasTime ? ['/usr/bin/time', ['-v', APP, ...show]] : [APP, show];
  return new Promise((resolve, reject) => {
    const t0 = wall();
    const child = spawn(cmd[0], cmd[1], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CLAUDE_CONFIG_DIR: config } });
    let err = '';
    let hwm = 0;
    child.stderr.on('data', (d) => (err += d));
    // Without /usr/bin/time: VmHWM of the child, read until it exits.
    const poll = hasTime ? null : setInterval(() => {
      try {
        const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        // exited
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = wall() - t0;
      if (poll) clearInterval(poll);
      const rss = hasTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN) : hwm;
      const exit = hasTime ? Number(/Exit status: (\d+)/.exec(err)?.[1] ?? code) : code;
      if (exit !== 0) return reject(new Error(`ccdesk show exited ${exit}: ${err.slice(-500)}`));
      resolve({ ms, rssMiB: rss / 1024, via: hasTime ? '/usr/bin/time -v' : '/proc VmHWM polled every 10 ms' });
    });
  });
}

/**
 * Makes the index cache and the search index of `config` in this run's data dir, as a first
 * launch would leave them, with `ccdesk search` (which brings both up to date before it searches).
 * The window's launches are then warm starts, what users see every day after their first.
 */
function warmIndex(config) {
  return new Promise((resolve, reject) => {
    const t0 = wall();
    const child = spawn(APP, ['search', 'warm up the index', '--limit', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CLAUDE_CONFIG_DIR: config },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ccdesk search exited ${code}: ${err.slice(-500)}`));
      resolve(wall() - t0);
    });
  });
}

// ---- extreme transcripts (headless) -------------------------------------------------------------------

/**
 * A config dir beside the data sets with two extreme transcripts: `gig`, the 200 MB transcript
 * written 5 times over (about 1 GB), and `noeol`, one 200 MB line with no newline (a write that
 * never finished). Made once, in the temp dir; returns { config, gigBytes, noeolBytes }.
 */
function extremeFiles() {
  const config = `${env('BENCH_TMP')}/extreme/config`;
  const dir = `${config}/projects/-bench-extreme`;
  mkdirSync(dir, { recursive: true });
  const src = `${SCALE.config}/projects/${BIG.key}.jsonl`;
  const gig = `${dir}/gig.jsonl`;
  if (!existsSync(gig)) for (let i = 0; i < 5; i++) appendFileSync(gig, readFileSync(src));
  const noeol = `${dir}/noeol.jsonl`;
  if (!existsSync(noeol)) {
    const fd = openSync(noeol, 'w');
    writeSync(fd, '{"type":"user","cwd":"/bench","sessionId":"noeol","message":{"role":"user","content":"');
    const chunk = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < 200; i++) writeSync(fd, chunk);
    closeSync(fd);
  }
  return { config, gigBytes: statSync(gig).size, noeolBytes: statSync(noeol).size };
}

// ---- main ------------------------------------------------------------------------------------------------

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

async function main() {
  const started = Date.now();
  const base = [];
  const scale = [];
  const cli = [];
  if (process.env.BENCH_WARMUP !== '0') {
    log('warm-up launch (not counted)');
    await runOnce('warm-up', env('BENCH_APP_BASE'), BASE, false);
    for (const [name, m] of [['1 session', BASE], ['10,000 sessions', SCALE]]) log(`index cache and search index of ${name} made in ${(await warmIndex(m.config)).toFixed(0)} ms`);
  }
  const loads = [];
  let busiest = 0;
  for (let i = 1; i <= RUNS; i++) {
    busiest = Math.max(busiest, Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
    loads.push(`run ${i}: ${otherLoad()}`);
    log(loads.at(-1));
    base.push(await runOnce(`run ${i} one session`, env('BENCH_APP_BASE'), BASE, false));
    scale.push(await runOnce(`run ${i} 10,000 sessions`, env('BENCH_APP_SCALE'), SCALE, true));
    const c = await cliShow(BIG.id, SCALE.config);
    log(`run ${i} ccdesk show --json: ${c.ms.toFixed(0)} ms, max RSS ${c.rssMiB.toFixed(0)} MiB`);
    cli.push(c);
  }
  const extreme = extremeFiles();
  const gig = [];
  const noeol = [];
  for (let i = 1; i <= RUNS; i++) {
    gig.push(await cliShow('-bench-extreme/gig', extreme.config, ['--tail', '200']));
    noeol.push(await cliShow('-bench-extreme/noeol', extreme.config));
    log(`run ${i} ccdesk show, 1 GB --tail 200: ${gig.at(-1).ms.toFixed(0)} ms, ${gig.at(-1).rssMiB.toFixed(0)} MiB; ` +
      `200 MB line without newline: ${noeol.at(-1).ms.toFixed(0)} ms, ${noeol.at(-1).rssMiB.toFixed(0)} MiB`);
  }

  const m = (rows, k) => median(rows.map((r) => r[k]));
  const all = (rows, k, d = 0) => rows.map((r) => (Number.isFinite(r[k]) ? r[k].toFixed(d) : '-')).join(' / ');
  const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const sign = (x, unit, d = 0) => `${x >= 0 ? '+' : ''}${x.toFixed(d)} ${unit}`;
  const ok = (cond) => (cond ? 'ok' : 'MISSED');
  const st = statSync(APP);
  const launchDiff = m(scale, 'launchMs') - m(base, 'launchMs');
  const pssDiff = m(scale, 'pss') - m(base, 'pss');
  const rows = [
    ['Launch to list, 1 session', fmtS(m(base, 'launchMs')), '', all(base, 'launchMs')],
    ['Launch to list, 10,000 sessions', fmtS(m(scale, 'launchMs')), '', all(scale, 'launchMs')],
    ['  difference', sign(launchDiff / 1000, 's', 2), `<= +0.3 s ${ok(launchDiff <= 300)}`, ''],
    ['  app process start -> list, 1 / 10,000', `${fmtS(m(base, 'procMs'))} / ${fmtS(m(scale, 'procMs'))}`, '', `${all(base, 'procMs')} // ${all(scale, 'procMs')}`],
    ['  page navigation -> list, 1 / 10,000', `${fmtS(m(base, 'navMs'))} / ${fmtS(m(scale, 'navMs'))}`, '', `${all(base, 'navMs')} // ${all(scale, 'navMs')}`],
    ['PSS app+webview, 1 session', `${m(base, 'pss').toFixed(0)} MiB`, '', all(base, 'pss')],
    ['PSS app+webview, 10,000 sessions', `${m(scale, 'pss').toFixed(0)} MiB`, '', all(scale, 'pss')],
    ['  difference', sign(pssDiff, 'MiB'), `<= +40 MB ${ok(pssDiff * 1.048576 <= 40)}`, ''],
    ['  USS (private) 1 / 10,000, difference', `${m(base, 'uss').toFixed(0)} / ${m(scale, 'uss').toFixed(0)} MiB, ${sign(m(scale, 'uss') - m(base, 'uss'), 'MiB')}`, '', `${all(base, 'uss')} // ${all(scale, 'uss')}`],
    ['10,000 sessions: line appended -> row updated, p50', `${m(scale, 'appendP50').toFixed(0)} ms`, '', all(scale, 'appendP50')],
    ['10,000 sessions: line appended -> row updated, p95', `${m(scale, 'appendP95').toFixed(0)} ms`, `<= 100 ms ${ok(m(scale, 'appendP95') <= 100)}`, all(scale, 'appendP95')],
    ['  appends not shown within 5 s (of each run)', all(scale, 'appendMissed'), '', ''],
    ['200 MB: click -> first item (ready)', `${m(scale, 'openItemMs').toFixed(0)} ms`, `<= 300 ms ${ok(m(scale, 'openItemMs') <= 300)}`, all(scale, 'openItemMs')],
    ['200 MB: click -> latest entry on screen', `${m(scale, 'openEndMs').toFixed(0)} ms`, `<= 500 ms ${ok(m(scale, 'openEndMs') <= 500)}`, all(scale, 'openEndMs')],
    ['200 MB: Jump to start -> first entry', `${m(scale, 'jumpStartMs').toFixed(0)} ms`, '', all(scale, 'jumpStartMs')],
    ['200 MB: Jump to end -> latest entry', `${m(scale, 'jumpEndMs').toFixed(0)} ms`, `<= 500 ms ${ok(m(scale, 'jumpEndMs') <= 500)}`, all(scale, 'jumpEndMs')],
    ['200 MB: PSS growth, opened', sign(m(scale, 'growOpen'), 'MiB'), `<= 150 MB ${ok(m(scale, 'growOpen') * 1.048576 <= 150)}`, all(scale, 'growOpen')],
    ['200 MB: PSS growth, after jumps', sign(m(scale, 'growJumps'), 'MiB'), `<= 150 MB ${ok(m(scale, 'growJumps') * 1.048576 <= 150)}`, all(scale, 'growJumps')],
    ['200 MB: PSS growth, peak (150 ms samples)', sign(m(scale, 'growPeak'), 'MiB'), '', all(scale, 'growPeak')],
    ['200 MB: USS growth, opened / after jumps', `${sign(m(scale, 'ussGrowOpen'), 'MiB')} / ${sign(m(scale, 'ussGrowJumps'), 'MiB')}`, '', `${all(scale, 'ussGrowOpen')} // ${all(scale, 'ussGrowJumps')}`],
    ['ccdesk show <200 MB> --json: wall', fmtS(m(cli, 'ms')), 'v0.1: 1.9 s', all(cli, 'ms')],
    ['ccdesk show <200 MB> --json: max RSS', `${m(cli, 'rssMiB').toFixed(0)} MiB`, 'v0.1: 450 MB', all(cli, 'rssMiB')],
    [`ccdesk show <${(extreme.gigBytes / 2 ** 30).toFixed(2)} GiB> --tail 200: wall`, fmtS(m(gig, 'ms')), '', all(gig, 'ms')],
    [`ccdesk show <${(extreme.gigBytes / 2 ** 30).toFixed(2)} GiB> --tail 200: max RSS`, `${m(gig, 'rssMiB').toFixed(0)} MiB`, 'bounded', all(gig, 'rssMiB')],
    ['ccdesk show <200 MB line, no newline>: wall', fmtS(m(noeol, 'ms')), '', all(noeol, 'ms')],
    ['ccdesk show <200 MB line, no newline>: max RSS', `${m(noeol, 'rssMiB').toFixed(0)} MiB`, 'bounded', all(noeol, 'rssMiB')],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['Measure', 'Median', 'Goal', 'Runs'][i].length));
  const line = (r) => r.map((c, i) => c.padEnd(w[i])).join(' | ').trimEnd();
  const out = [
    `ccdesk GUI benchmark, ${new Date().toISOString()}, median of ${RUNS} runs`,
    `binary: ${APP} (${(st.size / 1048576).toFixed(0)} MiB, built ${st.mtime.toISOString()}; ${/\/release\//.test(APP) ? 'a release build' : 'the debug build the e2e suite uses'})`,
    `commit: ${process.env.BENCH_COMMIT ?? '?'}; webkit: ${process.env.BENCH_WEBKIT ?? '?'}`,
    `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Xvfb 1400x1000`,
    `data: 1 session (${BASE.sessions[0].key}) vs ${SCALE.sessions.length.toLocaleString('en-US')} sessions in ${SCALE.projects.length} projects; ` +
      `200 MB transcript ${BIG.key} (${(BIG.bytes / 1048576).toFixed(0)} MiB, ${BIG.lines.toLocaleString('en-US')} lines)`,
    `launch = WebDriver new-session request until the project list holds all ${SCALE.projects.length} (or 1) projects, its first rows and a session item are painted (seen in the page);`,
    `PSS = sum of Pss: of smaps_rollup of ccdesk and its descendants, ${SETTLE_MS} ms after the list; transcript times in the page (performance.now, MutationObserver + rAF), to the frame after the DOM had it`,
    `warm starts: the uncounted warm-up made each data set's index cache and search index (\`ccdesk search\`), as a first launch leaves them${process.env.BENCH_WARMUP === '0' ? ' (SKIPPED: BENCH_WARMUP=0, so the first 10,000-session launch is a cold one)' : ''}`,
    `cli: ${cli[0]?.via}; page cache warm`,
    ...(busiest > os.cpus().length
      ? [`WARNING: the machine was busy (1-minute load average up to ${busiest} on ${os.cpus().length} CPUs, see the notes below): times and PSS (shared pages split with other WebKit processes) are noisy`]
      : []),
    '',
    line(['Measure', 'Median', 'Goal', 'Runs']),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.map(line),
    '',
    `launches where the list was already painted when the page was first asked (their time is an upper bound): ` +
      `1 session ${base.filter((r) => r.already).length}/${RUNS}, 10,000 sessions ${scale.filter((r) => r.already).length}/${RUNS}`,
    `processes (last 10,000-session run): ${scale.at(-1)?.procs}`,
    `processes (last 1-session run): ${base.at(-1)?.procs}`,
    `transcript window after opening: ${scale.at(-1)?.items} items in the DOM, "${scale.at(-1)?.range}"`,
    ...loads,
    `end: ${otherLoad()}`,
    `total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ];
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

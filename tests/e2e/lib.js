// Shared helpers of the GUI suite: a WebDriver session on the app (through tauri-driver), lookups by
// data-testid, bounded polling, screenshots. Everything the tests need from the outside comes from
// the environment that run.sh sets up.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { Builder, By } from 'selenium-webdriver';

/** Reads a variable run.sh must have set. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through tests/e2e/run.sh`);
  return v;
}

/** Default bound of every wait, in ms. */
export const WAIT_MS = 15_000;

/**
 * Pids of running ccdesk apps (the binary of E2E_APP, not its process watchdog). ccdesk is a
 * single-instance app: a launch while another is still exiting would hand its arguments to the
 * dying one and quit, so every launch waits for the previous app to be gone.
 */
export function appPids() {
  const exe = realpathSync(env('E2E_APP'));
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A binary rebuilt while the app runs shows as "<path> (deleted)".
      if (readlinkSync(path.join('/proc', entry, 'exe')).replace(/ \(deleted\)$/, '') !== exe) continue;
      if (readFileSync(path.join('/proc', entry, 'cmdline'), 'utf8').includes('--ccdesk-reaper')) continue;
      pids.push(Number(entry));
      seenApps.add(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Every app pid seen so far: an exiting process loses its `exe` link before its bus connection. */
const seenApps = new Set();

/** True while `pid` exists and is not a zombie (a zombie has closed its connections). */
function running(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The single-instance plugin's bus name (`<identifier>.SingleInstance`). */
const INSTANCE_NAME = 'dev.ccdesk.app.SingleInstance';

/**
 * Whether the previous app still owns the single-instance bus name: the bus daemon drops it only
 * once it has seen the exited process's connection close, a moment after the process is gone.
 * Without `dbus-send` (or a bus), assumes not.
 */
function instanceNameOwned() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  try {
    const out = execFileSync(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner', `string:${INSTANCE_NAME}`],
      { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return /boolean true/.test(out);
  } catch {
    return false;
  }
}

/** Waits until no ccdesk app runs, an exiting one included (see `appPids`), and its name is free. */
export function appsGone(ms = WAIT_MS) {
  return until(
    'the previous ccdesk app to exit',
    () => appPids().length === 0 && [...seenApps].every((pid) => !running(pid)) && !instanceNameOwned(),
    ms,
  );
}

/**
 * Starts the app (a fresh process) and returns the WebDriver session on its webview. The UI's own
 * preferences (`ui-prefs.json`: last selection, pool view, dismissed notices) are removed first so
 * that every launch starts as a first one, unless `keepPrefs` (a spec that checks what a relaunch
 * restores).
 */
export async function launch(application = env('E2E_APP'), { keepPrefs = false, firstStart = false } = {}) {
  await appsGone();
  if (!keepPrefs) rmSync(storeFile('ui-prefs.json'), { force: true });
  presetVault(firstStart);
  const driver = await new Builder()
    .usingServer(env('E2E_WEBDRIVER_URL'))
    .withCapabilities({
      browserName: 'wry',
      'tauri:options': { application },
    })
    .build();
  await driver.manage().setTimeouts({ implicit: 0, pageLoad: 30_000, script: 10_000 });
  appPids(); // remember this app's pid, to wait for it after quit
  return driver;
}

/**
 * The vault's first-start question (`settings.vault.enabled` null) covers the top of the window
 * until answered. Specs start as a user who answered "Not now" (a settings file with only that,
 * written when there is none; a file a spec wrote is left as it is), except with `firstStart`,
 * which takes the answer out of the stored settings (the vault spec asks and answers it).
 */
function presetVault(firstStart) {
  const file = storeFile('settings.json');
  if (!existsSync(file)) {
    if (firstStart) return;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ settings: { version: 1, vault: { enabled: false, maxMb: 4096 } } }));
    return;
  }
  if (!firstStart) return;
  let stored;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return; // not JSON: the app sets it aside and runs on the defaults (not answered)
  }
  if (stored?.settings?.vault) stored.settings.vault.enabled = null;
  writeFileSync(file, JSON.stringify(stored));
}

/**
 * Changes the stored settings before a launch: `fn` gets the `settings` object of the data dir's
 * `settings.json` (made as `launch` makes it when there is none) and changes it in place. Returns
 * a function that deletes `keys` from the stored settings again (for a spec's `after`, so the
 * specs after it start from the same settings).
 */
export function editSettings(fn, keys) {
  const file = storeFile('settings.json');
  const stored = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { settings: { version: 1, vault: { enabled: false, maxMb: 4096 } } };
  fn(stored.settings);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(stored));
  return () => {
    const now = JSON.parse(readFileSync(file, 'utf8'));
    for (const k of keys) delete now.settings[k];
    writeFileSync(file, JSON.stringify(now));
  };
}

/**
 * Starts the app (see `launch`) and waits for its first load to list the projects: the point every
 * spec starts from. Returns the WebDriver session.
 */
export async function launchApp(application = env('E2E_APP'), options = {}) {
  const driver = await launch(application, options);
  await one(driver, 'project-item', driver, 30_000);
  return driver;
}

/**
 * A spec's `step(name, body, timeout)`: a test (node:test `it`) that saves a screenshot of the
 * window to screenshots-tmp/ when it fails. `getDriver` gives the spec's current session (a spec
 * may relaunch the app between steps). `options` go to `it` as well (e.g. `{ todo: 'why' }`).
 */
export function stepper(getDriver) {
  return (name, body, timeout = 60_000, options = {}) =>
    it(name, { timeout, ...options }, async (t) => {
      try {
        await body(t);
        // Whatever the step checked, the webview must not have thrown meanwhile.
        await assertNoPageErrors(getDriver(), name);
      } catch (e) {
        await failureShot(getDriver(), `failed-${name}`);
        throw e;
      }
    });
}

/**
 * The webview's uncaught errors and unhandled rejections, as the UI collects them in
 * `window.__ccdeskErrors` (an array of strings; the UI also shows them in the error banner).
 * `[]` when there are none (or the UI does not collect them).
 */
export async function pageErrors(driver) {
  return driver.executeScript(
    'const e = window.__ccdeskErrors; return Array.isArray(e) ? e.map((x) => String(x)) : [];',
  );
}

/** Errors of each session already reported by a failed check (each is reported once). */
const reportedErrors = new WeakMap();

/**
 * Fails when the webview has reported uncaught errors since the last check of this session. A
 * session whose app is gone (a step that quit it) has nothing left to check: no answer within
 * `ms` is taken as that.
 */
export async function assertNoPageErrors(driver, where = '', ms = 10_000) {
  if (!driver || appPids().length === 0) return; // no app (a step quit it): nothing to read
  let errors;
  try {
    errors = await Promise.race([pageErrors(driver), new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
  } catch {
    return; // the app has quit
  }
  if (errors === null) {
    console.error(`# the webview did not answer within ${ms} ms${where ? ` after "${where}"` : ''}: its errors were not read`);
    return;
  }
  const seen = reportedErrors.get(driver) ?? 0;
  if (errors.length > seen) {
    reportedErrors.set(driver, errors.length);
    throw new Error(`uncaught errors in the webview${where ? ` during "${where}"` : ''}:\n  ${errors.slice(seen).join('\n  ')}`);
  }
}

/** Ends the session (closes the app); never throws, so a failing test still cleans up. */
export async function quit(driver) {
  if (!driver) return;
  // Errors thrown after the last step's check: reported, and the spec file fails.
  try {
    await assertNoPageErrors(driver, 'the last step, before quitting', 3_000);
  } catch (e) {
    console.error(`# ${e.message}`);
    process.exitCode = 1;
  }
  try {
    // Bounded: a session whose app is already gone (Quit) may never be answered.
    await Promise.race([driver.quit(), new Promise((r) => setTimeout(r, 10_000))]);
  } catch {
    // the app may already be gone
  }
  await appsGone().catch((e) => console.error(`# ${e.message}`));
}

export const testId = (id) => By.css(`[data-testid="${id}"]`);

/** Polls `fn` until it returns a truthy value, which is returned; fails with `what` after `ms`. */
export async function until(what, fn, ms = WAIT_MS, every = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

/** All elements with this testid, optionally inside `root`. */
export function all(driver, id, root = driver) {
  return root.findElements(testId(id));
}

/** Waits for the first element with this testid. */
export async function one(driver, id, root = driver, ms = WAIT_MS) {
  return until(`[data-testid="${id}"]`, async () => (await root.findElements(testId(id)))[0], ms);
}

/** Waits for an element with this testid and attribute value. */
export async function withAttr(driver, id, attr, value, ms = WAIT_MS) {
  const css = `[data-testid="${id}"][${attr}="${cssString(value)}"]`;
  return until(css, async () => (await driver.findElements(By.css(css)))[0], ms);
}

function cssString(s) {
  return String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Visible text of every element with this testid. */
export async function texts(driver, id, root = driver) {
  const els = await all(driver, id, root);
  return Promise.all(els.map((e) => e.getText()));
}

/** textContent (also of hidden or collapsed parts), which getText() leaves out. */
export function textContent(driver, el) {
  return driver.executeScript('return arguments[0].textContent', el);
}

/**
 * The text of an element the user sees, for elements WebKitWebDriver's getText() wrongly reports as
 * empty: it drops the text of `overflow: hidden` boxes (the ellipsized session titles and project
 * paths), though they are on screen. Checks it is displayed, then reads its textContent.
 */
export async function shownText(driver, el) {
  if (!(await el.isDisplayed())) throw new Error('element is not displayed');
  return (await textContent(driver, el)).trim();
}

/**
 * Scrolls `el` to the middle of its scroll box, then clicks it: WebDriver's own scrolling may leave
 * it under a sheet's sticky footer (Save/Close), which then takes the click.
 */
export async function clickInView(driver, el) {
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })", el);
  await el.click();
}

/** Picks the `<option value=...>` of the select with this testid, as a user would. */
export async function choose(driver, id, value) {
  const sel = await one(driver, id);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })", sel);
  await (await sel.findElement(By.css(`option[value="${cssString(value)}"]`))).click();
  await until(`${id} to be ${value}`, async () => (await sel.getAttribute('value')) === value);
}

/** Replaces an input's or textarea's value by typing (fires the input events Svelte listens to). */
export async function typeInto(el, text) {
  await el.getDriver().executeScript("arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })", el);
  await el.clear();
  await el.sendKeys(text);
}

/**
 * Waits until the webview has painted the current DOM: two animation frames. Without it WebKit's
 * screenshot can show an older frame than the DOM the test just checked.
 */
export function settle(driver) {
  return driver.executeAsyncScript(
    'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
  );
}

/** Saves a PNG of the window's web content to tests/e2e/screenshots/<name>.png. */
export async function screenshot(driver, name, dir = env('E2E_SCREENSHOTS')) {
  mkdirSync(dir, { recursive: true });
  await settle(driver);
  const file = path.join(dir, `${name}.png`);
  writeFileSync(file, Buffer.from(await driver.takeScreenshot(), 'base64'));
  return file;
}

/** Best effort screenshot for a failed test, into the git-ignored screenshots-tmp/. */
export async function failureShot(driver, name) {
  if (!driver || !process.env.E2E_FAILURE_SHOTS) return;
  try {
    const file = await screenshot(driver, name.replace(/[^a-z0-9]+/gi, '-').toLowerCase(), process.env.E2E_FAILURE_SHOTS);
    console.error(`# screenshot of the failure: ${file}`);
  } catch {
    // no window left to shoot
  }
}

/** The CLI's project dir name for a cwd: every character but ASCII letters and digits becomes '-'. */
export function sanitizedDir(cwd) {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

/** Session ids (transcript file names) under the config dir's project dir of `cwd`. */
export function sessionIdsOnDisk(cwd) {
  const dir = path.join(env('E2E_CONFIG_DIR'), 'projects', sanitizedDir(cwd));
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.slice(0, -'.jsonl'.length));
  } catch {
    return [];
  }
}

/**
 * Starts a new session from the "New session" sheet; returns its run id once its run view shows
 * it (or throws with what the run view says if it did not start).
 */
export async function startNewSession(driver, cwd, prompt) {
  const before = await Promise.all((await all(driver, 'live-item')).map((e) => e.getAttribute('data-run-id')));
  await (await one(driver, 'new-session-button')).click();
  await typeInto(await one(driver, 'new-session-cwd'), cwd);
  await typeInto(await one(driver, 'new-session-prompt'), prompt);
  const start = await one(driver, 'new-session-start');
  await until('Start to be enabled', () => start.isEnabled());
  await start.click();
  await until('the new-session sheet to close', async () => (await all(driver, 'new-session-prompt')).length === 0);
  return until(`the new session (${prompt}) in the run view`, async () => {
    const view = (await all(driver, 'run-view'))[0];
    if (!view) return null;
    const id = await view.getAttribute('data-run-id');
    if (id && !before.includes(id)) return id;
    const failed = await all(driver, 'run-failure', view);
    if (failed.length) throw new Error(`the session did not start: ${await failed[0].getText()}`);
    return null;
  });
}

/** The state of the session in view: `data-state` of its badge (connecting, streaming, ready, ...). */
export async function runState(driver) {
  const els = await all(driver, 'run-status');
  return els.length ? els[0].getAttribute('data-state') : null;
}

/** Clicks the project of `projectPath` in the sidebar; returns its row. */
export async function selectProject(driver, projectPath) {
  const item = await withAttr(driver, 'project-item', 'data-project-path', projectPath);
  await item.click();
  return item;
}

/** Selects the project, then the session `id` in it, and waits until it is the current one. */
export async function openSession(driver, projectPath, id) {
  await selectProject(driver, projectPath);
  const item = await withAttr(driver, 'session-item', 'data-session-id', id);
  await item.click();
  await until(`session ${id} to be selected`, async () => (await item.getAttribute('aria-current')) === 'true');
  return item;
}

/** The `data-testid` of the focused element, or null. */
export function focusedTestId(driver) {
  return driver.executeScript('return document.activeElement?.dataset?.testid ?? null');
}

/** A tauri-plugin-store file of ccdesk in the run's data dir (`settings.json`, `registry.json`). */
export function storeFile(name) {
  return path.join(env('E2E_DATA_HOME'), 'dev.ccdesk.app', name);
}

/** A store file parsed, or null when it does not exist. */
export function readStore(name) {
  try {
    return JSON.parse(readFileSync(storeFile(name), 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

/** The document's theme: `data-theme` of the root element ("light" or "dark"). */
export function documentTheme(driver) {
  return driver.executeScript('return document.documentElement.dataset.theme ?? null');
}

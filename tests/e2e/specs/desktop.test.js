// The desktop integration in the running app:
// - the settings view: where claude was found, values saved to
//   `$XDG_DATA_HOME/dev.ccdesk.app/settings.json` and applied (theme at once, defaults of the next
//   new session), invalid values refused in the backend's words with nothing saved, the values back
//   after a restart; a settings file ccdesk cannot use (another version, a value that is not
//   settings) kept under a `settings.backup-<ms>` key, a file that is not JSON moved aside byte for
//   byte (`settings.json.corrupt-<ms>`), while the app runs on defaults and says so in the notice
//   banner; a torn `ui-prefs.json` (the window's own preferences) moved aside the same way, and the
//   next save of the preferences writes a whole new file, atomically, through the core;
// - a second launch of the binary hands `ccdesk <folder>` and `ccdesk --resume <id>` to the running
//   app (single instance over the session bus) and exits;
// - the tray menu's model in the window ("Quick resume": the live sessions with their state, the
//   recent ones, New session, Show, Quit).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import {
  all, appPids, choose, documentTheme, env, focusedTestId, launchApp, one, quit, readStore, runState, screenshot,
  sessionIdsOnDisk, shownText, stepper, storeFile, textContent, typeInto, until, withAttr,
} from '../lib.js';

let driver;
const WORK = path.dirname(env('E2E_DEMO_DIR'));
const SEED_ID = env('E2E_SEED_ID');
/** A folder with a space in its name, given relative to the second launch's working directory. */
const FOLDER = path.join(WORK, 'launched folder');
const PROMPT = 'hello from a second launch';
/** The run the folder launch started. */
let runId = null;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

/**
 * Runs the app binary a second time with `args`, as a file manager or a terminal would, in the
 * environment the driven app has (run.sh exports the bus, display, XDG dirs, config dir and
 * CCDESK_CLAUDE to both; only HOME differs: tauri-driver, and so the app, runs with the run's own).
 * Resolves with its exit status once it exits; killed after `ms`.
 */
function secondLaunch(args, { cwd = WORK, ms = 10_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(env('E2E_APP'), args, {
      cwd,
      env: { ...process.env, HOME: env('E2E_APP_HOME') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr: stderr.slice(-2000), ms: Date.now() - started });
    });
  });
}

/** Checks a second launch exited by itself, with status 0, and left the one app running. */
function assertHandedOver(second) {
  assert.equal(second.signal, null, `the second launch did not exit within 10 s (killed): ${second.stderr}`);
  assert.equal(second.code, 0, `the second launch exits 0: ${second.stderr}`);
  assert.equal(appPids().length, 1, 'one ccdesk app runs');
}

async function sessionHeading() {
  return shownText(driver, await one(driver, 'session-heading'));
}

/** Opens the in-window tray menu; returns its headers, and its items as [action id, label]. */
async function openTrayMenu() {
  await (await one(driver, 'tray-menu-button')).click();
  const menu = await one(driver, 'tray-menu');
  const headers = await Promise.all((await all(driver, 'tray-menu-header', menu)).map((h) => h.getText()));
  const items = await Promise.all((await all(driver, 'tray-menu-item', menu)).map(async (i) =>
    [await i.getAttribute('data-action-id'), await shownText(driver, i)]));
  return { headers, items };
}

// ---- settings ----

const STORE = storeFile('settings.json');
const NOT_JSON = '{ this is not json';

async function openSettings() {
  await (await one(driver, 'settings-button')).click();
  return one(driver, 'settings-view');
}

async function closeSettings() {
  await (await one(driver, 'settings-cancel')).click();
  await until('the settings view to close', async () => (await driver.findElements({ css: '[data-testid="settings-view"]' })).length === 0);
}

async function setField(id, value) {
  await typeInto(await one(driver, id), value);
}

async function fieldValue(id) {
  return (await one(driver, id)).getAttribute('value');
}

/** The settings value stored on disk (key `settings`). */
function stored() {
  return readStore('settings.json')?.settings;
}

/** Quits, writes `text` as the settings file, launches again. */
async function relaunchWithStore(text) {
  await quit(driver);
  mkdirSync(path.dirname(STORE), { recursive: true });
  writeFileSync(STORE, text);
  driver = await launchApp();
}

/** The one `settings.backup-*` key of the settings file, with its value. */
function backup() {
  const file = readStore('settings.json') ?? {};
  const keys = Object.keys(file).filter((k) => k.startsWith('settings.backup-'));
  assert.equal(keys.length, 1, `one backup key in ${JSON.stringify(file)}`);
  assert.match(keys[0], /^settings\.backup-\d{13}$/);
  return file[keys[0]];
}

/** Checks the app runs on the defaults: the settings view shows them, the theme is the system's. */
async function assertDefaults() {
  assert.equal(await documentTheme(driver), 'light', 'no dark theme: the system theme (light under Xvfb)');
  await openSettings();
  await until('tray recent 10 (the default)', async () => (await fieldValue('settings-tray-recent')) === '10');
  assert.equal(await fieldValue('settings-permission-mode'), 'default');
  assert.equal(await fieldValue('settings-theme'), 'system');
  assert.equal(await fieldValue('settings-max-sessions'), '8');
  await closeSettings();
}

describe('ccdesk GUI: settings', () => {
  before(async () => {
    rmSync(STORE, { force: true });
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
    rmSync(STORE, { force: true }); // the next specs start from the defaults
  });

  step('the settings view shows the claude found, saves changes to disk and applies the theme', async () => {
    await openSettings();
    const found = await one(driver, 'settings-claude-found');
    await until('the fake claude and its version', async () => {
      const text = await found.getText();
      return text.includes(env('E2E_FAKE_CLAUDE')) && /\(Claude Code\)/.test(text);
    });
    assert.equal(await fieldValue('settings-claude-path'), '', 'blank: found automatically');
    assert.match(await (await one(driver, 'settings-config-dir-in-use')).getText(), new RegExp(env('E2E_CONFIG_DIR').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    // Find (nothing typed) looks again, the way ccdesk would.
    await (await one(driver, 'settings-claude-test')).click();
    await until('Find to find the fake again', async () =>
      (await (await one(driver, 'settings-claude-found')).getText()).includes(env('E2E_FAKE_CLAUDE')));

    await setField('settings-tray-recent', '4');
    await choose(driver, 'settings-permission-mode', 'acceptEdits');
    await choose(driver, 'settings-theme', 'dark');
    await until('the dark theme shown while picking', async () => (await documentTheme(driver)) === 'dark');
    await setField('settings-default-model', 'sonnet');
    await (await one(driver, 'settings-save')).click();
    await one(driver, 'settings-saved');
    const s = stored();
    assert.equal(s?.version, 1);
    assert.equal(s?.trayRecent, 4);
    assert.equal(s?.defaultPermissionMode, 'acceptEdits');
    assert.equal(s?.theme, 'dark');
    assert.equal(s?.defaultModel, 'sonnet');
    assert.equal(s?.pool?.maxSessions, 8);
    assert.equal(await documentTheme(driver), 'dark');
    // The top of the view: where claude was found and the first settings.
    await driver.executeScript('arguments[0].scrollTop = 0', await one(driver, 'settings-view'));
    await screenshot(driver, 'settings');
  });

  step('invalid values are refused in words and nothing is saved', async () => {
    const before = JSON.stringify(readStore('settings.json'));
    await setField('settings-tray-recent', '0');
    await (await one(driver, 'settings-save')).click();
    await until('the tray range error', async () => /1 to 50/.test(await (await one(driver, 'settings-error')).getText()));
    assert.equal(JSON.stringify(readStore('settings.json')), before, 'the file is unchanged');

    await setField('settings-tray-recent', '4');
    await setField('settings-max-sessions', '0');
    await (await one(driver, 'settings-save')).click();
    await until('the pool size error', async () => /at least one session/.test(await (await one(driver, 'settings-error')).getText()));
    assert.equal(JSON.stringify(readStore('settings.json')), before, 'the file is unchanged');
    assert.equal((await driver.findElements({ css: '[data-testid="settings-saved"]' })).length, 0, 'not "Saved"');
    await closeSettings();
    // Closed without saving: the saved values, not the refused ones, are what the view shows.
    await openSettings();
    await until('the saved values again', async () => (await fieldValue('settings-max-sessions')) === '8');
    assert.equal(await fieldValue('settings-tray-recent'), '4');
    await closeSettings();
  });

  step('a new session takes the defaults of the settings', async () => {
    await (await one(driver, 'new-session-button')).click();
    assert.equal(await fieldValue('new-session-model'), 'sonnet');
    assert.equal(await fieldValue('new-session-permission-mode'), 'acceptEdits');
    await (await one(driver, 'new-session-prompt')).sendKeys('\uE00C'); // Esc
    await until('the sheet to close', async () => (await driver.findElements({ css: '[data-testid="new-session-prompt"]' })).length === 0);
  });

  step('after a restart the settings are back', async () => {
    await quit(driver);
    driver = await launchApp();
    await until('the dark theme', async () => (await documentTheme(driver)) === 'dark');
    await openSettings();
    await until('tray recent 4', async () => (await fieldValue('settings-tray-recent')) === '4');
    assert.equal(await fieldValue('settings-permission-mode'), 'acceptEdits');
    assert.equal(await fieldValue('settings-default-model'), 'sonnet');
    assert.equal(await fieldValue('settings-theme'), 'dark');
    await closeSettings();
    assert.equal(stored()?.trayRecent, 4, 'the file on disk still holds the values');
  }, 90_000);

  step('a settings file of another version is backed up, the defaults are used and the user is told', async () => {
    await relaunchWithStore(JSON.stringify({ settings: { version: 99, theme: 'dark' } }));
    const banner = await one(driver, 'notice-banner');
    assert.match(await banner.getText(), /another ccdesk \(version 99\)/);
    assert.deepEqual(backup(), { version: 99, theme: 'dark' });
    await assertDefaults();
  }, 90_000);

  step('a settings value that is not settings is backed up, the defaults are used and the user is told', async () => {
    await relaunchWithStore(JSON.stringify({ settings: 'garbage' }));
    const banner = await one(driver, 'notice-banner');
    assert.match(await banner.getText(), /settings .*defaults are used/);
    assert.equal(backup(), 'garbage');
    await assertDefaults();
  }, 90_000);

  step('a settings file that is not JSON: the app runs on the defaults', async () => {
    await relaunchWithStore(NOT_JSON);
    await assertDefaults();
  }, 90_000);

  // The core moves a file it cannot parse aside (settings.json.corrupt-<ms>), byte for byte, and
  // says so in the notice banner; nothing is written over it.
  step('a settings file that is not JSON is kept and the user is told', async () => {
    await until('the notice banner', async () => /settings/.test(await (await one(driver, 'notice-banner', driver, 2_000)).getText()), 3_000);
    const dir = path.dirname(STORE);
    const aside = readdirSync(dir).filter((f) => /^settings\.json\.corrupt-\d+$/.test(f));
    assert.equal(aside.length, 1, `one settings.json.corrupt-<ms> (files: ${readdirSync(dir).join(', ')})`);
    assert.equal(readFileSync(path.join(dir, aside[0]), 'utf8'), NOT_JSON, 'byte for byte');
  }, 30_000);

  step('a torn ui-prefs.json is moved aside, the user is told, and the next save writes a whole file', async () => {
    await quit(driver);
    const prefs = storeFile('ui-prefs.json');
    const torn = '{"project":"cwd:/somewhere","session":"-somewhere/1","poolSh';
    writeFileSync(prefs, torn);
    driver = await launchApp(undefined, { keepPrefs: true });
    await until('the notice about the window preferences', async () =>
      /window preferences/.test(await (await one(driver, 'notice-banner', driver, 2_000)).getText()), 5_000);
    const dir = path.dirname(prefs);
    const aside = readdirSync(dir).filter((f) => /^ui-prefs\.json\.corrupt-\d+$/.test(f));
    assert.equal(aside.length, 1, `one ui-prefs.json.corrupt-<ms> (files: ${readdirSync(dir).join(', ')})`);
    assert.equal(readFileSync(path.join(dir, aside[0]), 'utf8'), torn, 'byte for byte');
    // A selection is saved after a pause: a whole JSON file, the one set aside untouched.
    const project = await one(driver, 'project-item');
    const projectKey = await project.getAttribute('data-project-key');
    await project.click();
    await until('ui-prefs.json, whole, to name the selected project', () => {
      try {
        return readStore('ui-prefs.json')?.project === projectKey;
      } catch {
        return false; // not JSON: never expected (the write is atomic); the step then times out
      }
    });
    assert.equal(readFileSync(path.join(dir, aside[0]), 'utf8'), torn, 'the file set aside is left alone');
  }, 90_000);
});

// ---- a second launch, the tray menu ----

describe('ccdesk GUI: a second launch and the tray menu', () => {
  before(async () => {
    mkdirSync(FOLDER, { recursive: true });
    rmSync(storeFile('settings.json'), { force: true }); // the default settings (10 recent sessions)
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('with nothing running, the tray menu has no running section and lists recent sessions', async () => {
    const { headers, items } = await openTrayMenu();
    assert.ok(!headers.some((h) => h.startsWith('Running')), headers.join(' | '));
    assert.ok(headers.includes('Recent'), headers.join(' | '));
    assert.ok(items.some(([id]) => id === `resume:${SEED_ID}`), JSON.stringify(items));
    assert.deepEqual(items.slice(-3).map(([id]) => id), ['new-session', 'show', 'quit']);
    await driver.switchTo().activeElement().sendKeys('\uE00C'); // Esc (the menu has the focus) closes it
    await until('the tray menu to close', async () => (await all(driver, 'tray-menu')).length === 0);
  });

  step('`ccdesk <folder>` a second time hands the folder to the running app, which shows the new-session sheet', async () => {
    const second = await secondLaunch([path.basename(FOLDER)]);
    assertHandedOver(second);
    const cwd = await one(driver, 'new-session-cwd');
    await until('the folder in the new-session sheet', async () => (await cwd.getAttribute('value')) === FOLDER);
    assert.equal(await (await one(driver, 'new-session-title')).getText(), 'New session in launched folder');
    assert.equal((await all(driver, 'run-view')).length, 0, 'nothing starts before Start');
    assert.equal((await all(driver, 'live-item')).length, 0, 'nothing is live');
    assert.deepEqual(sessionIdsOnDisk(FOLDER), [], 'no transcript yet');
    await typeInto(await one(driver, 'new-session-prompt'), PROMPT);
    await screenshot(driver, 'folder-launch-sheet');
    await (await one(driver, 'new-session-start')).click();
    runId = await until('the run view of the new session', async () => {
      const view = (await all(driver, 'run-view'))[0];
      return view ? view.getAttribute('data-run-id') : null;
    });
    await until('the reply and a ready session', async () => (await runState(driver)) === 'ready', 20_000);
    await until('the echoed prompt in the run view', async () =>
      new RegExp(`Echo: ${PROMPT}`).test(await textContent(driver, await one(driver, 'run-output'))));
    await until('the transcript in the folder’s project dir', () => sessionIdsOnDisk(FOLDER).length === 1);
  });

  step('`ccdesk --resume <id>` opens that session with its prompt focused', async () => {
    const second = await secondLaunch(['--resume', SEED_ID]);
    assertHandedOver(second);
    await until('the seed session open', async () => /seed prompt/.test(await sessionHeading()));
    await until('the resume prompt focused', async () => (await focusedTestId(driver)) === 'resume-prompt');
  });

  step('a missing folder is said in words and nothing starts', async () => {
    const live = (await all(driver, 'live-item')).length;
    const second = await secondLaunch(['/no/such/folder']);
    assertHandedOver(second);
    const banner = await one(driver, 'error-banner');
    await until('the message naming the folder', async () => /\/no\/such\/folder/.test(await banner.getText()));
    assert.equal((await all(driver, 'new-session-cwd')).length, 0, 'no new-session sheet');
    assert.equal((await all(driver, 'live-item')).length, live, 'no new live session');
  });

  step('the tray menu lists the running session with its state and recent ones; items open them', async () => {
    const { headers, items } = await openTrayMenu();
    assert.ok(headers.includes('Running (1)'), headers.join(' | '));
    assert.ok(headers.includes('Recent'), headers.join(' | '));
    const live = items.filter(([id]) => id.startsWith('live:'));
    assert.deepEqual(live.map(([id]) => id), [`live:${runId}`], JSON.stringify(items));
    assert.match(live[0][1], new RegExp(`${PROMPT} — Ready$`));
    assert.ok(items.some(([id]) => id === `resume:${SEED_ID}`), JSON.stringify(items));
    assert.deepEqual(items.slice(-3).map(([id]) => id), ['new-session', 'show', 'quit']);
    await screenshot(driver, 'tray-menu');

    // A running session's item opens its run view (the seed session is in view now).
    await (await withAttr(driver, 'tray-menu-item', 'data-action-id', `live:${runId}`)).click();
    await until('the live run in view', async () =>
      (await (await one(driver, 'run-view')).getAttribute('data-run-id')) === runId);
    assert.equal((await all(driver, 'tray-menu')).length, 0, 'the menu closes');

    // A recent session's item opens it, ready to resume.
    await openTrayMenu();
    await (await withAttr(driver, 'tray-menu-item', 'data-action-id', `resume:${SEED_ID}`)).click();
    await until('the seed session open', async () => /seed prompt/.test(await sessionHeading()));
    await one(driver, 'resume-prompt');
  });
});

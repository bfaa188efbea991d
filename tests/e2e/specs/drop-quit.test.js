// Drops and Quit in the running app. A drop is delivered the way the window's drag-and-drop
// reaches the page: as Tauri's `tauri://drag-drop` event (emitted here through the app's own
// event system, since WebDriver cannot drag from a file manager), handled by the same listener,
// router and `classify_drop` command as a real drop. Quit is the tray menu's (its in-window copy
// runs the same action): the app must end, and with it every CLI process it started. SIGTERM (a
// log-out, `kill`, `systemctl stop`) must end it the same way.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { all, appPids, appsGone, env, launchApp, one, quit, readStore, runState, screenshot, startNewSession, stepper, until, withAttr } from '../lib.js';

let driver;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

/** Emits one of Tauri's drag-and-drop events into the app, at the middle of the window. */
async function dragEvent(name, paths) {
  await driver.executeAsyncScript(
    `const [name, paths, done] = arguments;
     const x = Math.round(window.innerWidth / 2 * devicePixelRatio);
     const y = Math.round(window.innerHeight / 2 * devicePixelRatio);
     window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: name, payload: { paths, position: { x, y } } })
       .then(() => done(null), (e) => done(String(e)));`,
    name,
    paths,
  );
}

/** Pids of processes running the fake claude binary. */
function fakeClaudePids() {
  const fake = env('E2E_FAKE_CLAUDE');
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(path.join('/proc', entry, 'exe')).replace(/ \(deleted\)$/, '') === fake) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Starts a session with `prompt`, waits for its turn to end; its run id and its CLI's pids. */
async function liveSession(prompt) {
  const before = new Set(fakeClaudePids());
  const runId = await startNewSession(driver, env('E2E_DEMO_DIR'), prompt);
  await until('the turn to end', async () => (await runState(driver)) === 'ready', 20_000);
  const ours = await until('the session’s CLI process', async () => {
    const fresh = fakeClaudePids().filter((p) => !before.has(p));
    return fresh.length ? fresh : null;
  });
  return { runId, ours };
}

describe('ccdesk GUI: drops and Quit', () => {
  before(async () => {
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('a folder dropped on the window opens the new-session sheet for it; nothing starts', async () => {
    const dir = env('E2E_DEMO_DIR');
    await dragEvent('tauri://drag-enter', [dir]);
    await one(driver, 'drop-overlay');
    await dragEvent('tauri://drag-drop', [dir]);
    const cwd = await one(driver, 'new-session-cwd');
    await until('the dropped folder in the sheet', async () => (await cwd.getAttribute('value')) === dir);
    assert.match(await (await one(driver, 'new-session-title')).getText(), new RegExp(path.basename(dir)));
    assert.equal((await all(driver, 'drop-overlay')).length, 0, 'the overlay goes with the drop');
    assert.equal((await all(driver, 'run-view')).length, 0, 'nothing started');
    await screenshot(driver, 'drop-sheet');
  });

  step('two items, or a file, dropped on the window start nothing and say why', async () => {
    await (await one(driver, 'new-session-prompt')).sendKeys('\uE00C'); // Esc closes the sheet
    await until('the sheet to close', async () => (await all(driver, 'new-session-prompt')).length === 0);
    const file = path.join(path.dirname(env('E2E_DEMO_DIR')), 'notes.txt');
    writeFileSync(file, 'x');
    await dragEvent('tauri://drag-drop', [env('E2E_DEMO_DIR'), file]);
    const banner = await one(driver, 'error-banner');
    await until('the message about two items', async () => /2 items/.test(await banner.getText()));
    await dragEvent('tauri://drag-drop', [file]);
    await until('the message about a file', async () => /is a file, not a folder/.test(await banner.getText()));
    assert.equal((await all(driver, 'new-session-prompt')).length, 0, 'no sheet');
    assert.equal((await all(driver, 'run-view')).length, 0, 'nothing started');
  });

  step('Quit in the tray menu ends the app and every CLI process it started', async () => {
    // A live session with its CLI process running.
    const { ours } = await liveSession('hello before quitting');
    await (await one(driver, 'tray-menu-button')).click();
    const quitItem = await withAttr(driver, 'tray-menu-item', 'data-action-id', 'quit');
    // Clicked from the page a moment after this command returns: a WebDriver click whose app
    // quits before it is answered may never be answered.
    await driver.executeScript('const item = arguments[0]; setTimeout(() => item.click(), 200);', quitItem);
    await until('every CLI process of the app to end', async () => fakeClaudePids().every((p) => !ours.includes(p)), 20_000);
    // The app process itself (WebDriver calls to a vanished app may hang, so /proc is asked).
    await appsGone(20_000);
  });
});

describe('ccdesk GUI: SIGTERM quits as Quit does', () => {
  before(async () => {
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('SIGTERM to the app ends every CLI process it started and saves the sessions as closed', async () => {
    const { runId, ours } = await liveSession('hello before a SIGTERM');
    const [app] = appPids();
    assert.ok(app, 'the app is running');
    process.kill(app, 'SIGTERM');
    await until('every CLI process of the app to end', async () => fakeClaudePids().every((p) => !ours.includes(p)), 20_000);
    await appsGone(20_000);
    // Quit's last save: the session's run is recorded as closed, not left "ready".
    const sessions = readStore('registry.json')?.registry?.sessions ?? {};
    const entry = Object.values(sessions).find((e) => (e.history ?? []).some((r) => r.runId === runId));
    assert.ok(entry, `the run ${runId} is in registry.json`);
    assert.equal(entry.lastState, 'closed', JSON.stringify(entry));
  });
});

// ccdesk's own session registry through the GUI: two sessions run in a fresh folder, the older one
// is renamed in place (Esc cancels, Enter saves), pinned and resumed; the name shows in the list
// (the title under it), in the session header and in the live session's header, the pinned
// session comes first, the header lists each session's runs. The registry is written to the app's data dir, which run.sh
// keeps in the temp dir, and is there again after a restart. At the end the name and the pin are
// removed (a blank name brings the title back).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { Key } from 'selenium-webdriver';
import {
  all, env, launchApp, one, quit, readStore, runState, screenshot, selectProject, sessionIdsOnDisk, shownText,
  startNewSession, stepper, testId, typeInto, until, withAttr,
} from '../lib.js';

const WORK = path.dirname(env('E2E_DEMO_DIR'));
const DIR = path.join(WORK, 'registry project');
const NAME = 'Release notes, named in ccdesk';
const FIRST_PROMPT = 'first session for the registry';
const SECOND_PROMPT = 'second session for the registry';

let driver;
/** Session ids of the two sessions, oldest first. */
let first = null;
let second = null;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

function openProject() {
  return selectProject(driver, DIR);
}

/** Session ids in the list's order. */
async function listedIds() {
  const items = await all(driver, 'session-item');
  return Promise.all(items.map((i) => i.getAttribute('data-session-id')));
}

/** The row's button for `id`, and the texts it shows (title line, and the title under a name). */
async function row(id) {
  const item = await withAttr(driver, 'session-item', 'data-session-id', id);
  const title = await shownText(driver, await item.findElement(testId('session-title')));
  const subs = await item.findElements(testId('session-subtitle'));
  const subtitle = subs.length ? await shownText(driver, subs[0]) : null;
  return { item, title, subtitle };
}

/** Runs one turn in a new session in DIR; returns the new session's id once it is listed. */
async function runSession(prompt) {
  const before = new Set(sessionIdsOnDisk(DIR));
  await startNewSession(driver, DIR, prompt);
  await until('the turn to end', async () => (await runState(driver)) === 'ready', 20_000);
  const [id] = await until('the new transcript on disk', async () => {
    const fresh = sessionIdsOnDisk(DIR).filter((x) => !before.has(x));
    return fresh.length ? fresh : null;
  });
  await until(`session ${id} to be listed`, async () => {
    await openProject();
    return (await listedIds()).includes(id);
  });
  return id;
}

/** registry.json in the app's data dir (run.sh's temp XDG_DATA_HOME), parsed; null when absent. */
function storedRegistry() {
  const home = env('E2E_DATA_HOME');
  for (const dir of existsSync(home) ? readdirSync(home) : []) {
    const file = path.join(home, dir, 'registry.json');
    if (existsSync(file)) return { file, value: JSON.parse(readFileSync(file, 'utf8')) };
  }
  return null;
}

describe('ccdesk GUI: names, pins and run history', () => {
  before(async () => {
    mkdirSync(DIR, { recursive: true });
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('two sessions run in a fresh folder; the newest is listed first and each header shows its run', async () => {
    first = await runSession(FIRST_PROMPT);
    // The first one's process ends; its run is remembered as closed.
    await (await one(driver, 'close-run')).click();
    await until('the run view to go after Close', async () => (await all(driver, 'run-view')).length === 0, 15_000);
    second = await runSession(SECOND_PROMPT);
    assert.deepEqual(await listedIds(), [second, first], 'newest first before any pin');

    // The live session's header lists its run: ready, one turn, a cost.
    await until('the second session to be open', async () =>
      (await (await withAttr(driver, 'session-item', 'data-session-id', second)).getAttribute('aria-current')) === 'true');
    const item = await until('one run in the history of the second session', async () => {
      const items = await all(driver, 'run-history-item');
      return items.length === 1 && (await items[0].getAttribute('data-state')) === 'ready' ? items[0] : null;
    });
    assert.equal(await (await item.findElement(testId('run-history-turns'))).getText(), '1 turn');
    assert.match(await (await item.findElement(testId('run-history-cost'))).getText(), /^\$\d/);
  });

  step('renaming in place: Enter saves, the name shows in the list with the title under it, and in the headers', async () => {
    const { title: before } = await row(first);
    assert.match(before, new RegExp(FIRST_PROMPT));

    // Esc cancels: nothing is stored.
    await (await withAttr(driver, 'session-rename', 'data-session-id', first)).click();
    let input = await one(driver, 'session-rename-input');
    await input.sendKeys('typed, then cancelled');
    await input.sendKeys(Key.ESCAPE);
    await until('the rename field to close on Esc', async () => (await all(driver, 'session-rename-input')).length === 0);
    assert.equal((await row(first)).title, before, 'Esc keeps the title');

    // Enter saves.
    await (await withAttr(driver, 'session-rename', 'data-session-id', first)).click();
    input = await one(driver, 'session-rename-input');
    await typeInto(input, NAME);
    await input.sendKeys(Key.ENTER);
    await until('the rename field to close on Enter', async () => (await all(driver, 'session-rename-input')).length === 0);
    const named = await until('the name in the list', async () => {
      const r = await row(first);
      return r.title === NAME ? r : null;
    });
    assert.equal(named.subtitle, before, 'the title shows under the name');
    assert.equal((await row(second)).subtitle, null, 'an unnamed session shows its title alone');

    // The session's header, once opened, and its live run's header name it too.
    await named.item.click();
    await until('the header to show the name', async () => (await (await one(driver, 'session-heading')).getText()) === NAME);
    assert.equal(await shownText(driver, await one(driver, 'session-heading-title')), before);
    const runs = await until('the first session’s run, closed', async () => {
      const items = await all(driver, 'run-history-item');
      return items.length === 1 && (await items[0].getAttribute('data-state')) === 'closed' ? items : null;
    });
    assert.equal(await (await runs[0].findElement(testId('run-history-turns'))).getText(), '1 turn');
  });

  step('pinning puts the session first in its project; names and pins are in the isolated data dir', async () => {
    await openProject();
    await (await withAttr(driver, 'session-pin', 'data-session-id', first)).click();
    await until('the pinned session first', async () => {
      const ids = await listedIds();
      return ids[0] === first && ids[1] === second;
    });
    const pin = await withAttr(driver, 'session-pin', 'data-session-id', first);
    assert.equal(await pin.getAttribute('aria-pressed'), 'true');
    assert.equal(await (await row(first)).item.getAttribute('data-pinned'), 'true');
    await (await row(first)).item.click();
    await until('the header to show the name', async () => (await (await one(driver, 'session-heading')).getText()) === NAME);

    const stored = await until('registry.json with the name and the pin', () => {
      const s = storedRegistry();
      const e = s?.value?.registry?.sessions?.[first];
      return e?.name === NAME && e?.pinned === true ? s : null;
    });
    assert.ok(stored.file.startsWith(env('E2E_DATA_HOME')), `the registry is in the run's data dir: ${stored.file}`);
    const runsOfSecond = stored.value.registry.sessions[second]?.history ?? [];
    assert.equal(runsOfSecond.length, 1, 'one run of the second session is recorded');
  });

  step('after a restart the name and the pin are still there, and the session open before is open again', async () => {
    // The UI saves its preferences after a 500 ms pause: quit once they name the open session.
    await until('ui-prefs.json to name the open session', () => readStore('ui-prefs.json')?.session?.endsWith(`/${first}`));
    await quit(driver);
    driver = await launchApp(undefined, { keepPrefs: true });
    // ui-prefs.json kept the selection: the named session is open again, without a click.
    await until('the session open before the restart to be open again', async () => {
      const heading = await driver.findElements(testId('session-heading'));
      return heading.length === 1 && (await heading[0].getText()) === NAME;
    }, 20_000);
    assert.equal(await (await row(first)).item.getAttribute('aria-current'), 'true');
    await openProject();
    await until('the pinned, named session first after the restart', async () => {
      const ids = await listedIds();
      return ids[0] === first && (await row(first)).title === NAME;
    });
  }, 90_000);

  step('resumed, the named session’s live run is named in its header, and its history gains the run', async () => {
    await openProject();
    await (await row(first)).item.click();
    await until('the header to show the name', async () => (await (await one(driver, 'session-heading')).getText()) === NAME);
    await typeInto(await one(driver, 'resume-prompt'), 'resume the named session');
    const resume = await one(driver, 'resume-button');
    await until('Resume to be enabled', () => resume.isEnabled());
    await resume.click();
    await until('the run header to name the session', async () => {
      const names = await all(driver, 'run-name', await one(driver, 'run-view'));
      return names.length === 1 && (await names[0].getText()) === NAME;
    }, 20_000);
    await until('the resumed turn to end', async () => (await runState(driver)) === 'ready', 20_000);
    const states = await until('two runs in the history, the newest first and ready', async () => {
      const items = await all(driver, 'run-history-item');
      const s = await Promise.all(items.map((i) => i.getAttribute('data-state')));
      return s.length === 2 && s[0] === 'ready' ? s : null;
    });
    assert.deepEqual(states, ['ready', 'closed']);
    await screenshot(driver, 'session-names');
  });

  step('a blank name brings the title back; unpinned, the list is by last activity again', async () => {
    await openProject();
    await (await withAttr(driver, 'session-rename', 'data-session-id', first)).click();
    const input = await one(driver, 'session-rename-input');
    assert.equal(await driver.executeScript('return arguments[0].value', input), NAME, 'the field starts with the name');
    // As a user empties it (WebDriver's clear() fires no input event): select all, delete, Enter.
    await input.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
    await until('the field to be empty', async () => (await driver.executeScript('return arguments[0].value', input)) === '');
    await input.sendKeys(Key.ENTER);
    await until('the title back in the list', async () => {
      const r = await row(first);
      return r.title.includes(FIRST_PROMPT) && r.subtitle === null;
    });
    await (await withAttr(driver, 'session-pin', 'data-session-id', first)).click();
    // The resumed session is the most recently active one: first either way, now as unpinned.
    await until('the pin off', async () =>
      (await (await withAttr(driver, 'session-pin', 'data-session-id', first)).getAttribute('aria-pressed')) === 'false');
    assert.equal(await (await row(first)).item.getAttribute('data-pinned'), 'false');
    await until('the resumed session first by its last activity', async () => {
      const ids = await listedIds();
      return ids[0] === first && ids[1] === second;
    });
    const e = storedRegistry()?.value?.registry?.sessions?.[first];
    assert.ok(e && e.name === null && e.pinned === false, `stored: ${JSON.stringify(e)}`);
  });
});

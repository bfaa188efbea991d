// Two Claude config dirs (two accounts) in one window: the settings list a second one, "work",
// beside the first ("default"). Both are listed together, each session names its config dir, the
// lists narrow to one; a new session started in "work" runs with that CLAUDE_CONFIG_DIR (its
// transcript lands there, the watcher of that dir lists it), and its resume runs there again.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import {
  all, choose, editSettings, env, launchApp, one, openSession, quit, runState, sanitizedDir, screenshot,
  stepper, texts, typeInto, until, withAttr,
} from '../lib.js';

const WORK_CONFIG = path.join(path.dirname(env('E2E_CONFIG_DIR')), 'config-work');
const DIR = path.join(path.dirname(env('E2E_DEMO_DIR')), 'work project');
const PROMPT = 'a session of the work account';

let driver;
let id = null;
let restoreSettings = () => {};
const step = stepper(() => driver);

/** Session ids with a transcript for DIR under `config`. */
function idsUnder(config) {
  const dir = path.join(config, 'projects', sanitizedDir(DIR));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length));
}

describe('ccdesk GUI: two config dirs at once', () => {
  before(async () => {
    mkdirSync(DIR, { recursive: true });
    mkdirSync(path.join(WORK_CONFIG, 'projects'), { recursive: true });
    // The specs after this one list one config dir again.
    restoreSettings = editSettings((settings) => {
      settings.moreConfigDirs = [{ name: 'work', configDir: WORK_CONFIG }];
    }, ['moreConfigDirs']);
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
    restoreSettings();
  });

  step('the header and the list say there are two; the sessions of the first are named after it', async () => {
    assert.match(await (await one(driver, 'app-info-profiles')).getText(), /and 1 more/);
    const filter = await one(driver, 'profile-filter');
    const options = await texts(driver, 'profile-filter');
    assert.match(options.join(' '), /All \(2\)/);
    assert.ok(await filter.isDisplayed());
    await until('the sessions of the first to be named "default"', async () => {
      const names = await texts(driver, 'profile-badge');
      return names.length > 0 && names.every((n) => n === 'default');
    });
  });

  step('a new session started in "work" writes its transcript under that config dir and is listed as work', async () => {
    await (await one(driver, 'new-session-button')).click();
    await typeInto(await one(driver, 'new-session-cwd'), DIR);
    await typeInto(await one(driver, 'new-session-prompt'), PROMPT);
    await choose(driver, 'new-session-profile', 'work');
    const start = await one(driver, 'new-session-start');
    await until('Start to be enabled', () => start.isEnabled());
    await start.click();
    await until('the turn to end', async () => (await runState(driver)) === 'ready', 20_000);
    [id] = await until('the transcript under the work config dir', async () => {
      const ids = idsUnder(WORK_CONFIG);
      return ids.length ? ids : null;
    });
    assert.deepEqual(idsUnder(env('E2E_CONFIG_DIR')), [], 'nothing under the first config dir');
    const project = await withAttr(driver, 'project-item', 'data-project-path', DIR, 20_000);
    await project.click();
    const row = await withAttr(driver, 'session-item', 'data-session-id', id, 20_000);
    assert.equal(await (await one(driver, 'profile-badge', row)).getText(), 'work');
    assert.match(await row.getAttribute('data-session-key'), /^@work\//);
    await (await one(driver, 'close-run')).click();
    await until('the run view to go after Close', async () => (await all(driver, 'run-view')).length === 0, 15_000);
  });

  step('narrowed to "work", the lists hold only its projects and sessions; "All" brings the others back', async () => {
    const before = (await all(driver, 'project-item')).length;
    assert.ok(before >= 2, `${before} projects`);
    await choose(driver, 'profile-filter', 'work');
    await until('only the work project', async () => {
      const paths = await Promise.all((await all(driver, 'project-item')).map((p) => p.getAttribute('data-project-path')));
      return paths.length === 1 && paths[0] === DIR;
    });
    await screenshot(driver, 'config-dirs');
    const filter = await one(driver, 'profile-filter');
    await (await filter.findElement({ css: 'option:first-child' })).click();
    await until('every project again', async () => (await all(driver, 'project-item')).length === before);
  });

  step('resumed from the list, the work session runs in its own config dir again', async () => {
    const transcript = path.join(WORK_CONFIG, 'projects', sanitizedDir(DIR), `${id}.jsonl`);
    const size = statSync(transcript).size;
    await openSession(driver, DIR, id);
    await typeInto(await one(driver, 'resume-prompt'), 'and once more at work');
    const resume = await one(driver, 'resume-button');
    await until('Resume to be enabled', () => resume.isEnabled());
    await resume.click();
    await until('the resumed turn to end', async () => (await runState(driver)) === 'ready', 20_000);
    await until('the same transcript to grow', async () => statSync(transcript).size > size);
    assert.deepEqual(idsUnder(env('E2E_CONFIG_DIR')), [], 'still nothing under the first config dir');
    await (await one(driver, 'close-run')).click();
  });
});

// The desktop integration in the running app: the settings view (saved to disk, back after a
// restart, an invalid value refused, a corrupt file backed up and told), a second launch handing
// `ccdesk <folder>` and `ccdesk --resume <id>` to the running app (single instance over the
// session bus), and the tray menu's model in the window.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { all, appPids, env, failureShot, launch, one, quit, runState, screenshot, textContent, typeInto, until, withAttr } from '../lib.js';

let driver;
const STORE = path.join(env('E2E_DATA_HOME'), 'dev.ccdesk.app', 'settings.json');
const WORK = path.dirname(env('E2E_DEMO_DIR'));

function step(name, body, timeout = 60_000) {
  it(name, { timeout }, async (t) => {
    try {
      await body(t);
    } catch (e) {
      await failureShot(driver, `failed-${name}`);
      throw e;
    }
  });
}

function storedSettings() {
  return existsSync(STORE) ? JSON.parse(readFileSync(STORE, 'utf8')) : null;
}

/** Runs the app binary a second time with `args`, as a file manager or a terminal would. */
function secondLaunch(args, cwd = WORK) {
  return new Promise((resolve) => {
    const child = spawn(env('E2E_APP'), args, {
      cwd,
      env: { ...process.env, HOME: env('E2E_APP_HOME') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function openSettings() {
  await (await one(driver, 'settings-button')).click();
  return one(driver, 'settings-view');
}

async function setField(id, value) {
  await typeInto(await one(driver, id), value);
}

async function select(id, value) {
  await (await one(driver, id)).findElement({ css: `option[value="${value}"]` }).then((o) => o.click());
}

describe('ccdesk GUI: settings', () => {
  before(async () => {
    rmSync(STORE, { force: true });
    driver = await launch();
    await one(driver, 'project-item', driver, 30_000);
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('the settings view shows the claude found, saves changes to disk and applies the theme', async () => {
    await openSettings();
    const found = await one(driver, 'settings-claude-found');
    await until('the fake claude and its version', async () => {
      const text = await found.getText();
      return text.includes(env('E2E_FAKE_CLAUDE')) && /\(Claude Code\)/.test(text);
    });
    await setField('settings-tray-recent', '4');
    await select('settings-permission-mode', 'acceptEdits');
    await select('settings-theme', 'dark');
    await setField('settings-default-model', 'sonnet');
    await (await one(driver, 'settings-save')).click();
    await one(driver, 'settings-saved');
    const stored = storedSettings()?.settings;
    assert.equal(stored?.version, 1);
    assert.equal(stored?.trayRecent, 4);
    assert.equal(stored?.defaultPermissionMode, 'acceptEdits');
    assert.equal(stored?.theme, 'dark');
    assert.equal(stored?.defaultModel, 'sonnet');
    assert.equal(await driver.executeScript('return document.documentElement.dataset.theme'), 'dark');
    // The top of the view: where claude was found and the first settings.
    await driver.executeScript('arguments[0].scrollTop = 0', await one(driver, 'settings-view'));
    await screenshot(driver, 'settings');
  });

  step('an invalid value is refused in words and nothing is saved', async () => {
    await setField('settings-tray-recent', '0');
    await (await one(driver, 'settings-save')).click();
    const error = await one(driver, 'settings-error');
    assert.match(await error.getText(), /1 to 50/);
    assert.equal(storedSettings()?.settings?.trayRecent, 4, 'the file keeps the saved value');
    await (await one(driver, 'settings-cancel')).click();
  });

  step('a new session takes the defaults of the settings', async () => {
    await (await one(driver, 'new-session-button')).click();
    assert.equal(await (await one(driver, 'new-session-model')).getAttribute('value'), 'sonnet');
    assert.equal(await (await one(driver, 'new-session-permission-mode')).getAttribute('value'), 'acceptEdits');
    await (await one(driver, 'new-session-prompt')).sendKeys('\uE00C');
  });

  step('after a restart the settings are back', async () => {
    await quit(driver);
    driver = await launch();
    await one(driver, 'project-item', driver, 30_000);
    await until('the dark theme', async () => (await driver.executeScript('return document.documentElement.dataset.theme')) === 'dark');
    await openSettings();
    await until('tray recent 4', async () => (await (await one(driver, 'settings-tray-recent')).getAttribute('value')) === '4');
    assert.equal(await (await one(driver, 'settings-permission-mode')).getAttribute('value'), 'acceptEdits');
  });

  step('a settings file of another version is backed up, the defaults are used and the user is told', async () => {
    await quit(driver);
    writeFileSync(STORE, JSON.stringify({ settings: { version: 99, theme: 'dark' } }));
    driver = await launch();
    await one(driver, 'project-item', driver, 30_000);
    const banner = await one(driver, 'notice-banner');
    assert.match(await banner.getText(), /another ccdesk \(version 99\)/);
    const stored = storedSettings();
    const backups = Object.keys(stored).filter((k) => k.startsWith('settings.backup-'));
    assert.equal(backups.length, 1, JSON.stringify(stored));
    assert.deepEqual(stored[backups[0]], { version: 99, theme: 'dark' });
    await openSettings();
    assert.equal(await (await one(driver, 'settings-tray-recent')).getAttribute('value'), '10');
    await (await one(driver, 'settings-cancel')).click();
  });
});

describe('ccdesk GUI: a second launch and the tray menu', () => {
  const FOLDER = path.join(WORK, 'launched folder');

  before(async () => {
    mkdirSync(FOLDER, { recursive: true });
    rmSync(STORE, { force: true });
    driver = await launch();
    await one(driver, 'project-item', driver, 30_000);
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('`ccdesk <folder>` a second time hands the folder to the running app and exits', async () => {
    const second = await secondLaunch([path.basename(FOLDER)]);
    assert.equal(second.code, 0, `the second launch exits 0: ${second.stderr}`);
    assert.equal(appPids().length, 1, 'one ccdesk app runs');
    const cwd = await one(driver, 'new-session-cwd');
    await until('the folder in the new-session sheet', async () => (await cwd.getAttribute('value')) === FOLDER);
    assert.match(await (await one(driver, 'new-session-title')).getText(), /launched folder/);
    assert.equal((await all(driver, 'run-view')).length, 0, 'nothing starts before Start');
    await typeInto(await one(driver, 'new-session-prompt'), 'hello from a second launch');
    await (await one(driver, 'new-session-start')).click();
    await until('the reply and a ready session', async () => (await runState(driver)) === 'ready', 20_000);
    await until('the echoed prompt in the run view', async () =>
      /Echo: hello from a second launch/.test(await textContent(driver, await one(driver, 'run-output'))));
  });

  step('`ccdesk --resume <id>` opens that session with its prompt focused', async () => {
    const second = await secondLaunch(['--resume', env('E2E_SEED_ID')]);
    assert.equal(second.code, 0, second.stderr);
    await until('the seed session open', async () => /seed prompt/.test(await (await one(driver, 'session-heading')).getText()));
    await until('the resume prompt focused', async () =>
      (await driver.executeScript('return document.activeElement?.dataset?.testid')) === 'resume-prompt');
  });

  step('a missing folder is said in words and nothing starts', async () => {
    const second = await secondLaunch(['/no/such/folder']);
    assert.equal(second.code, 0, second.stderr);
    const banner = await one(driver, 'error-banner');
    await until('the message', async () => /\/no\/such\/folder/.test(await banner.getText()));
  });

  step('the tray menu lists the running session and recent ones; a recent one opens', async () => {
    await (await one(driver, 'tray-menu-button')).click();
    const menu = await one(driver, 'tray-menu');
    const headers = await Promise.all((await all(driver, 'tray-menu-header', menu)).map((h) => h.getText()));
    assert.ok(headers.includes('Running (1)'), headers.join(' | '));
    assert.ok(headers.includes('Recent'), headers.join(' | '));
    const ids = await Promise.all((await all(driver, 'tray-menu-item', menu)).map((i) => i.getAttribute('data-action-id')));
    assert.ok(ids.some((id) => id.startsWith('live:')), ids.join(' '));
    assert.ok(ids.includes(`resume:${env('E2E_SEED_ID')}`), ids.join(' '));
    assert.deepEqual(ids.slice(-3), ['new-session', 'show', 'quit']);
    await screenshot(driver, 'tray-menu');
    await (await withAttr(driver, 'tray-menu-item', 'data-action-id', `resume:${env('E2E_SEED_ID')}`)).click();
    await until('the seed session open', async () => /seed prompt/.test(await (await one(driver, 'session-heading')).getText()));
  });
});

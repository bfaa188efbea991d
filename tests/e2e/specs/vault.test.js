// The transcript vault through the GUI, on a first start: the question is answered "Keep copies";
// a session run in a fresh folder is copied into the vault (a zstd file in the app's data dir);
// its transcript is deleted as the CLI's clean-up deletes it; the list keeps the session, badged
// "archived", not resumable; it opens from the vault; Restore writes it back byte for byte and it
// resumes again. The settings view says what the vault holds.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import {
  all, env, launchApp, one, openSession, quit, runState, screenshot, sanitizedDir, sessionIdsOnDisk,
  startNewSession, stepper, storeFile, until, withAttr,
} from '../lib.js';

const WORK = path.dirname(env('E2E_DEMO_DIR'));
const DIR = path.join(WORK, 'vault project');
const PROMPT = 'a session worth keeping in the vault';

let driver;
let id = null;
let original = null;
const step = stepper(() => driver);

const transcript = () => path.join(env('E2E_CONFIG_DIR'), 'projects', sanitizedDir(DIR), `${id}.jsonl`);

/** The vault's copy of the session's transcript (`vault/<config key>/<dir>/<id>.jsonl.zst`), or null. */
function copyOf(sessionId) {
  const root = storeFile('vault');
  if (!existsSync(root)) return null;
  for (const cfg of readdirSync(root)) {
    const file = path.join(root, cfg, sanitizedDir(DIR), `${sessionId}.jsonl.zst`);
    if (existsSync(file)) return file;
  }
  return null;
}

describe('ccdesk GUI: the transcript vault', () => {
  before(async () => {
    mkdirSync(DIR, { recursive: true });
    driver = await launchApp(undefined, { firstStart: true });
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('the first start asks once whether to keep copies; "Keep copies" turns the vault on', async () => {
    const question = await one(driver, 'vault-question');
    assert.match(await question.getText(), /deletes every transcript 30 days after its last write/);
    await screenshot(driver, 'vault-question');
    await (await one(driver, 'vault-question-yes')).click();
    await until('the question to go', async () => (await all(driver, 'vault-question')).length === 0);
    await until('the setting saved', async () => {
      const stored = JSON.parse(readFileSync(storeFile('settings.json'), 'utf8'));
      return stored.settings?.vault?.enabled === true;
    });
  });

  step('a session run in a fresh folder is copied into the vault as it is written', async () => {
    await startNewSession(driver, DIR, PROMPT);
    await until('the turn to end', async () => (await runState(driver)) === 'ready', 20_000);
    [id] = await until('the transcript on disk', async () => {
      const ids = sessionIdsOnDisk(DIR);
      return ids.length ? ids : null;
    });
    // Copied after the transcript's last write (the watcher feeds the vault's thread).
    await until('the vault copy, newer than the transcript', async () => {
      const copy = copyOf(id);
      return copy && statSync(copy).mtimeMs >= statSync(transcript()).mtimeMs;
    }, 20_000);
    await (await one(driver, 'close-run')).click();
    await until('the run view to go after Close', async () => (await all(driver, 'run-view')).length === 0, 15_000);
    // Closing the session ends its process; the copy catches up with any last write.
    await until('the vault copy, newer than the transcript after Close', async () =>
      statSync(copyOf(id)).mtimeMs >= statSync(transcript()).mtimeMs, 20_000);
    original = readFileSync(transcript());
  });

  step('deleted as the CLI deletes it, the session stays listed, archived, and opens from the vault', async () => {
    // The CLI's clean-up: the transcript and its <id>/ dir.
    rmSync(transcript());
    rmSync(transcript().slice(0, -'.jsonl'.length), { recursive: true, force: true });
    const item = await until('the archived badge on the session', async () => {
      const row = await withAttr(driver, 'session-item', 'data-session-id', id);
      return (await row.findElements({ css: '[data-testid="archived-badge"]' })).length ? row : null;
    }, 20_000);
    await openSession(driver, DIR, id);
    assert.equal(await item.getAttribute('data-resumable'), 'false');
    await until('the transcript read from the vault', async () =>
      (await (await one(driver, 'transcript')).getText()).includes(PROMPT));
    assert.match(await (await one(driver, 'resume-disabled-reason')).getText(), /restore it to resume/);
    await screenshot(driver, 'vault-archived');
  });

  step('Restore writes it back byte for byte, and it resumes again', async () => {
    await (await one(driver, 'restore-session')).click();
    await until('the transcript back on disk', async () => existsSync(transcript()));
    assert.ok(readFileSync(transcript()).equals(original), 'restored byte for byte');
    await until('the archived badge to go', async () => {
      const row = await withAttr(driver, 'session-item', 'data-session-id', id);
      return (await row.findElements({ css: '[data-testid="archived-badge"]' })).length === 0 &&
        (await row.getAttribute('data-resumable')) === 'true';
    });
    await until('Resume to take a prompt', async () => (await all(driver, 'restore-session')).length === 0);
  });

  step('Export writes the session as one inert HTML file and as Markdown (the save dialog\'s command)', async () => {
    // The native save dialog cannot be driven over WebDriver: its command is called as the
    // "Export: HTML" button calls it once a file is picked.
    const row = await withAttr(driver, 'session-item', 'data-session-id', id);
    const key = await row.getAttribute('data-session-key');
    assert.ok(await one(driver, 'export-html'), 'the Export buttons are in the session header');
    for (const format of ['html', 'markdown']) {
      const file = path.join(WORK, `exported.${format}`);
      const stats = await driver.executeAsyncScript(
        'const done = arguments[arguments.length - 1];' +
          "window.__TAURI_INTERNALS__.invoke('export_session', { sessionKey: arguments[0], format: arguments[1], path: arguments[2] })" +
          '.then(done, (e) => done({ error: String(e && e.message || e) }));',
        key, format, file,
      );
      assert.equal(stats.error, undefined, stats.error);
      assert.equal(stats.prompts, 1);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes(PROMPT), `${format}: the prompt is in it`);
      if (format === 'html') {
        assert.match(text, /^<!DOCTYPE html>/);
        assert.ok(!/<script|<img|<iframe|<link|\ssrc=|\shref=/i.test(text), 'no script, no remote resource');
      }
    }
  });

  step('the settings view says what the vault holds', async () => {
    await (await one(driver, 'settings-button')).click();
    // Re-found each time: the line is replaced once the stats come in.
    await until('the vault stats', async () =>
      /Holds \d+ sessions? \(0 archived/.test(await (await one(driver, 'settings-vault-stats')).getText()));
    assert.equal(await (await one(driver, 'settings-vault-on')).isSelected(), true);
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", await one(driver, 'settings-vault'));
    await screenshot(driver, 'vault-settings');
    await (await one(driver, 'settings-cancel')).click();
  });
});

// "Open in terminal" and "Copy command": the settings name a terminal (here a script standing
// in for one, which records where it was started and its arguments); Open starts it in the
// session's folder running `claude --resume <id>`; while the session is live in the window it is
// refused with the reason; Copy command puts the command line on the clipboard.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import {
  all, editSettings, env, launchApp, one, openSession, quit, runState, stepper, texts, typeInto, until,
} from '../lib.js';

const DEMO = env('E2E_DEMO_DIR');
const SEED_ID = env('E2E_SEED_ID');
const WORK = path.dirname(env('E2E_CONFIG_DIR'));
const TERM = path.join(WORK, 'fake-terminal');
const OUT = path.join(WORK, 'fake-terminal.out');

let driver;
let restoreSettings = () => {};
const step = stepper(() => driver);

describe('ccdesk GUI: continue in a terminal', () => {
  before(async () => {
    mkdirSync(WORK, { recursive: true });
    writeFileSync(TERM, `#!/bin/sh\n{ pwd; for a in "$@"; do printf '%s\\n' "$a"; done; } > '${OUT}.tmp' && mv '${OUT}.tmp' '${OUT}'\n`);
    chmodSync(TERM, 0o755);
    rmSync(OUT, { force: true });
    restoreSettings = editSettings((settings) => {
      settings.terminal = TERM;
    }, ['terminal']);
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
    restoreSettings();
  });

  step('Open starts the terminal in the session folder running claude --resume <id>', async () => {
    await openSession(driver, DEMO, SEED_ID);
    await (await one(driver, 'open-in-terminal')).click();
    const lines = await until('the terminal to run', () => (existsSync(OUT) ? readFileSync(OUT, 'utf8').trim().split('\n') : null));
    assert.equal(lines[0], DEMO, 'started in the session folder');
    assert.equal(lines[1], '-e');
    assert.match(lines[2], /claude/);
    assert.deepEqual(lines.slice(3), ['--resume', SEED_ID]);
    await until('the notice', async () => (await texts(driver, 'notice')).some((t) => t.includes('Opened in') && t.includes(SEED_ID)));
  });

  step('Copy command says what it copied', async () => {
    await (await one(driver, 'copy-command')).click();
    await until('the copied notice', async () =>
      (await texts(driver, 'notice')).some((t) => t.startsWith('Copied: cd ') && t.includes(`--resume '${SEED_ID}'`)));
  });

  step('while the session is live in the window, Open is refused with the reason', async () => {
    rmSync(OUT, { force: true });
    await typeInto(await one(driver, 'resume-prompt'), 'keep it live');
    const resume = await one(driver, 'resume-button');
    await until('Resume to be enabled', () => resume.isEnabled());
    await resume.click();
    await until('the resumed turn to end', async () => (await runState(driver)) === 'ready', 20_000);
    await openSession(driver, DEMO, SEED_ID);
    await (await one(driver, 'open-in-terminal')).click();
    await until('the refusal', async () => {
      const banners = await all(driver, 'error-banner');
      return banners.length > 0 && /live in this window/.test(await banners[0].getText());
    });
    assert.equal(existsSync(OUT), false, 'no terminal started');
    await (await one(driver, 'error-dismiss')).click();
  });

  step('a session a claude outside ccdesk is writing says so and is not resumed; once that one is gone it resumes', async () => {
    await (await one(driver, 'close-run')).click();
    await until('the run view to go', async () => (await all(driver, 'run-view')).length === 0, 15_000);
    // A stand-in `claude` (sleep under that name) in the session's folder, not ccdesk's child.
    const bin = path.join(WORK, 'elsewhere-bin');
    mkdirSync(bin, { recursive: true });
    const claude = path.join(bin, 'claude');
    rmSync(claude, { force: true });
    symlinkSync('/bin/sleep', claude);
    const pidFile = path.join(WORK, 'elsewhere.pid');
    rmSync(pidFile, { force: true });
    execFileSync('sh', ['-c', 'cd "$1" && ("$2" 60 < /dev/null > /dev/null 2>&1 & echo $! > "$3")', 'sh', DEMO, claude, pidFile]);
    const pid = Number(await until('the stand-in to run', () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() || null : null)));
    try {
      await openSession(driver, DEMO, SEED_ID);
      await until('the resume box to say it is live elsewhere', async () => {
        const reason = await all(driver, 'resume-blocker');
        return reason.length > 0 && (await reason[0].getText()).includes(`pid ${pid}`);
      });
      assert.equal(await (await one(driver, 'resume-button')).isEnabled(), false);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    await driver.navigate().refresh();
    await openSession(driver, DEMO, SEED_ID);
    await typeInto(await one(driver, 'resume-prompt'), 'now it is mine again');
    const resume = await one(driver, 'resume-button');
    await until('Resume to be enabled again', () => resume.isEnabled());
  });
});

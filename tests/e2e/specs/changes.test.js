// What a session changed in files, in the window: a genuine transcript with Write and Edit calls
// (the public marot-spotter session, CLI 2.1.39) in the run's config dir; "Changes" in its header
// lists the turns and files with their counts; a file opens its diff, highlighted.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { all, env, launchApp, one, quit, screenshot, stepper, until, withAttr } from '../lib.js';

const ID = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
const DIR = path.join(env('E2E_CONFIG_DIR'), 'projects', '-home-USER-projects-spotter-worktrees-spotter-fum');
const PROJECT = '/home/USER/projects/spotter-worktrees/spotter-fum';

let driver;
const step = stepper(() => driver);

describe('ccdesk GUI: changes per turn', () => {
  before(async () => {
    mkdirSync(DIR, { recursive: true });
    copyFileSync(path.join(env('E2E_FIXTURES'), 'public', 'marot-spotter', `${ID}.jsonl`), path.join(DIR, `${ID}.jsonl`));
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
    // The specs after this one list what they listed before.
    rmSync(DIR, { recursive: true, force: true });
  });

  step('"Changes" lists each turn\'s files with lines added and removed; a file opens its diff', async () => {
    await (await withAttr(driver, 'project-item', 'data-project-path', PROJECT, 20_000)).click();
    await (await withAttr(driver, 'session-item', 'data-session-id', ID)).click();
    await (await one(driver, 'show-changes')).click();
    const turns = await until('the turns', async () => {
      const t = await all(driver, 'changes-turn');
      return t.length ? t : null;
    }, 20_000);
    assert.ok(turns.length >= 1);
    const files = await all(driver, 'changes-file');
    assert.ok(files.length >= 5, `${files.length} files`);
    const renderer = await withAttr(driver, 'changes-file', 'data-path', 'lib/spotter/services/transcript_renderer.ex');
    assert.match(await renderer.getText(), /\+\d+\s+−\d+/);
    await (await renderer.findElement({ css: 'button.path' })).click();
    const diff = await one(driver, 'changes-diff', renderer);
    assert.ok((await diff.findElements({ css: '.line.add' })).length > 0);
    assert.ok((await diff.findElements({ css: '.hljs-keyword' })).length > 0, 'highlighted as Elixir');
    await screenshot(driver, 'changes');
    await (await one(driver, 'changes-close')).click();
    await until('the sheet to close', async () => (await all(driver, 'changes-view')).length === 0);
  });
});

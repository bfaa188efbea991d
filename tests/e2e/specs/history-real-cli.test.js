// A history written by the real CLI (tests/datasets/real-cli.sh: the 2.1.112 and 1.0.128 JS builds
// against the mock API, in folders named `my.proj_v2`, `dir with spaces`, `naïve-café`, `a-b` beside
// `a_b`, a path of over 200 characters and one deleted afterwards; 1.0.128 sessions resumed), opened
// as a new user would: every project is listed, once, with its path; every session is listed under
// its project and opens with its prompts and replies; the webview throws nothing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import {
  assertNoPageErrors, assertProjects, assertSessionsListed, launchOn, loadManifest, openByKey, readSessionLists, reveal,
  selectProjectKey,
} from '../histories.js';
import { Key } from 'selenium-webdriver';
import { all, env, one, quit, screenshot, stepper, storeFile, typeInto, until } from '../lib.js';

const M = loadManifest('E2E_DATASET_REAL_CLI');
let driver;
let shown = new Map();
let where = new Map();

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

describe('a history written by the real CLI (2.1.112 and 1.0.128)', () => {
  before(async () => {
    rmSync(storeFile('settings.json'), { force: true }); // the config dir comes from CLAUDE_CONFIG_DIR
    try {
      driver = await launchOn(env('E2E_APP_REAL_CLI'));
    } catch (e) {
      driver = e.driver;
      throw e;
    }
  }, { timeout: 120_000 });

  after(async () => {
    await quit(driver);
  });

  step('the data set holds what the CLI wrote for the awkward folders', async () => {
    const byName = (name) => M.projects.find((p) => p.path?.endsWith(`/${name}`));
    for (const name of ['my.proj_v2', 'dir with spaces', 'naïve-café', 'a-b', 'a_b', 'deleted later']) {
      assert.ok(byName(name), `a session recorded in ${name}: ${JSON.stringify(M.projects.map((p) => p.path))}`);
    }
    assert.equal(byName('a-b').dirName, byName('a_b').dirName, 'a-b and a_b share a project dir');
    assert.equal(byName('deleted later').exists, false);
    assert.ok(M.projects.some((p) => p.path?.length > 200 && p.dirName.length > 200 && /-[0-9a-z]+$/.test(p.dirName)), 'a hashed dir name');
    const clis = new Set(M.runs.map((r) => r.cli));
    assert.deepEqual([...clis].sort(), ['claude-js', 'claude-old']);
    assert.ok(M.runs.some((r) => r.cli === 'claude-old' && r.args.includes('--resume')), 'a 1.0.128 session resumed');
  });

  step('every project is listed once, with its path', async () => {
    shown = await assertProjects(driver, M);
  });

  step('every session is listed under its project, once', async () => {
    where = await readSessionLists(driver, [...shown.keys()]);
    assertSessionsListed(M, M.sessions, where);
  }, 120_000);

  step('every session opens and shows its prompts and replies', async (t) => {
    const failures = [];
    for (const s of M.sessions.filter((x) => where.has(x.key))) {
      try {
        const r = await openByKey(driver, s, { project: where.get(s.key).project });
        assert.deepEqual(r.dupes, [], `transcript items of ${s.key} shown twice`);
        await assertNoPageErrors(driver, `opening ${s.key}`);
        t.diagnostic(`${s.key}: ${r.items} items in ${r.ms} ms`);
      } catch (e) {
        failures.push(`${s.key} (${s.cwd}): ${e.message}`);
      }
    }
    assert.deepEqual(failures, [], 'sessions that did not open');
    // The README's screen of a history the real CLI wrote: a session of an awkwardly named folder.
    const shown = M.sessions.find((x) => where.has(x.key) && x.cwd && /naïve|with spaces/.test(x.cwd) && x.texts.length > 1) ??
      M.sessions.find((x) => where.has(x.key) && x.cwd);
    if (shown) await openByKey(driver, shown, { project: where.get(shown.key).project });
    await screenshot(driver, 'real-cli-history');
  }, 180_000);

  step('search finds what both CLI eras wrote, each in its session', async () => {
    await driver.actions().keyDown(Key.CONTROL).keyDown(Key.SHIFT).sendKeys('f').keyUp(Key.SHIFT).keyUp(Key.CONTROL).perform();
    const input = await one(driver, 'search-input');
    for (const era of ['claude-old', 'claude-js']) {
      const run = M.runs.find((r) => r.cli === era && !r.prompt.startsWith('MOCK_'));
      assert.ok(run, `a ${era} run with a plain prompt`);
      const wanted = M.sessions.filter((x) => x.prompts.some((p) => p.includes(run.prompt))).map((x) => x.key);
      assert.ok(wanted.length > 0, `the manifest has the session of "${run.prompt}"`);
      await input.clear();
      await typeInto(input, `"${run.prompt}"`);
      // The search index builds after the first listing: ask again (Enter) until it answers.
      const keys = await until(`search results for "${run.prompt}"`, async () => {
        await input.sendKeys(Key.ENTER);
        const rows = await all(driver, 'search-session');
        const got = await Promise.all(rows.map((r) => r.getAttribute('data-session-key')));
        return got.some((k) => wanted.includes(k)) ? got : null;
      }, 60_000, 500);
      assert.ok(keys.every((k) => wanted.includes(k)), `"${run.prompt}" found only in its session: ${JSON.stringify({ keys, wanted })}`);
    }
    await input.sendKeys(Key.ESCAPE);
    await until('the search sheet to close', async () => (await all(driver, 'search-sheet')).length === 0);
    await assertNoPageErrors(driver, 'searching');
  });

  step('the sessions of the deleted folder say they cannot be resumed', async () => {
    const gone = M.sessions.filter((x) => where.has(x.key) && x.cwd && M.projects.find((p) => p.key === x.project)?.exists === false);
    assert.ok(gone.length > 0, 'a session of the deleted folder is listed');
    for (const s of gone) {
      await selectProjectKey(driver, where.get(s.key).project);
      const row = await reveal(driver, 'session-item', 'data-session-key', s.key);
      assert.equal(await row.getAttribute('data-resumable'), 'false', `${s.key} (${s.cwd})`);
    }
  });
});

// A large history (tests/datasets/scale.mjs): 10,000 sessions in 500 project dirs and one 200 MB
// transcript. Every project is listed; a sample of projects and sessions is read and opened (not all
// 10,000: the GUI suite has a time budget); the 200 MB transcript shows its latest entries within
// E2E_BIG_TRANSCRIPT_MS (default 30 s: a generous bound for CI, the speed targets are the
// benchmark's), and "jump to start" brings its first entries; scrolling near an end loads the next page there. The webview throws nothing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import {
  assertNoPageErrors, assertProjects, assertSessionsListed, launchOn, loadManifest, openByKey, readSessionLists,
  transcriptState,
} from '../histories.js';
import { env, one, quit, screenshot, stepper, storeFile, until } from '../lib.js';

const M = loadManifest('E2E_DATASET_SCALE');
// A bound for a loaded CI machine (a background re-list can delay the scroll to the end); the speed
// goals (<= 300 ms / 500 ms) are the GUI benchmark's, tests/bench/gui.sh.
const BIG_MS = Number(process.env.E2E_BIG_TRANSCRIPT_MS || 30_000);
const big = M.sessions.find((s) => s.big);
/** A fixed sample: 6 sessions spread over the data set, each in a different project. */
const sample = Array.from({ length: 6 }, (_, k) => M.sessions[(k * 1667 + 17) % (M.sessions.length - 1)]);
let driver;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

describe('a large history (10,000 sessions, a 200 MB transcript)', () => {
  before(async () => {
    rmSync(storeFile('settings.json'), { force: true }); // the config dir comes from CLAUDE_CONFIG_DIR
    try {
      driver = await launchOn(env('E2E_APP_SCALE'), 90_000);
    } catch (e) {
      driver = e.driver;
      throw e;
    }
  }, { timeout: 150_000 });

  after(async () => {
    await quit(driver);
  });

  step(`all ${M.projects.length} projects are listed once, with their paths`, async (t) => {
    const started = Date.now();
    const shown = await assertProjects(driver, M);
    assert.equal(shown.size, M.projects.length);
    t.diagnostic(`read ${shown.size} projects in ${Date.now() - started} ms`);
  }, 90_000);

  step('a sample of projects lists all its sessions, and they open', async (t) => {
    const projects = [...new Set(sample.map((s) => s.project))];
    const where = await readSessionLists(driver, projects);
    const all = M.sessions.filter((s) => projects.includes(s.project));
    assertSessionsListed(M, all, where);
    assert.equal(where.size, all.length, 'the sampled projects list their sessions and no others');
    const failures = [];
    for (const s of sample) {
      try {
        const r = await openByKey(driver, s);
        assert.deepEqual(r.dupes, [], 'transcript items shown twice');
        await assertNoPageErrors(driver, `opening ${s.key}`);
        t.diagnostic(`${s.key}: ${r.items} items in ${r.ms} ms`);
      } catch (e) {
        failures.push(`${s.key}: ${e.message}`);
      }
    }
    assert.deepEqual(failures, [], 'sessions that did not open');
  }, 150_000);

  step(`the 200 MB transcript shows its latest entries within ${BIG_MS} ms; "jump to start" brings the first`, async (t) => {
    const r = await openByKey(driver, big, { texts: big.last, ms: BIG_MS });
    assert.deepEqual(r.dupes, [], 'transcript items shown twice');
    t.diagnostic(`latest entries of ${(big.bytes / 1048576).toFixed(0)} MB (${big.lines} lines) shown in ${r.ms} ms, ${r.items} items in the DOM`);
    await screenshot(driver, 'big-transcript');
    const started = Date.now();
    await (await one(driver, 'transcript-jump-start')).click();
    let last = null;
    await until('the first entries after "jump to start"', async () => {
      last = await transcriptState(driver, big.first);
      return last?.missing.length === 0;
    }, BIG_MS).catch((e) => {
      e.message += `; transcript: ${JSON.stringify(last)}`;
      throw e;
    });
    assert.deepEqual(last.dupes, [], 'transcript items shown twice');
    t.diagnostic(`first entries shown ${Date.now() - started} ms after "jump to start"`);
  }, 90_000);

  step('scrolling to the bottom loads the next lines, and to the top the earlier ones (pages load as the view nears an end)', async (t) => {
    // The window is at the file's start (the step before): scrolled to its bottom, it takes the
    // next page; jumped to the end and scrolled to its top, the page before.
    const first = await windowLines(driver);
    assert.equal(first.from, 0, `the window starts at line 0: ${JSON.stringify(first)}`);
    const grown = await scrollUntil(driver, 'bottom', (w) => w.to > first.to);
    t.diagnostic(`scrolled down: lines ${first.from}-${first.to} became ${grown.from}-${grown.to}`);
    await (await one(driver, 'transcript-jump-end')).click();
    const end = await until('the window at the end after "jump to end"', async () => {
      const w = await windowLines(driver);
      return w.state === 'ready' && w.to === w.total && w.from > 0 && w;
    }, BIG_MS);
    const older = await scrollUntil(driver, 'top', (w) => w.from < end.from && w.to === end.to);
    t.diagnostic(`scrolled up: lines ${end.from}-${end.to} became ${older.from}-${older.to}`);
    const state = await transcriptState(driver, big.last);
    assert.deepEqual(state.dupes, [], 'transcript items shown twice');
    await assertNoPageErrors(driver, 'scrolling the 200 MB transcript');
  }, 90_000);
});

/** The loaded window of the open transcript: { state, from, to, total } (lines). */
function windowLines(driver) {
  return driver.executeScript(`
    const t = document.querySelector('[data-testid="transcript"]');
    const n = (a) => Number(t.getAttribute(a));
    return t && { state: t.getAttribute('data-state'), from: n('data-from'), to: n('data-to'), total: n('data-total') };`);
}

/**
 * Scrolls the transcript's list to its top or bottom (as a wheel would: the list's own scroll
 * offset, which fires its scroll event) until `done(window)` holds; returns that window.
 */
async function scrollUntil(driver, where, done) {
  let last = null;
  return until(`the window to change after scrolling to the ${where}`, async () => {
    last = await driver.executeScript(`
      const t = document.querySelector('[data-testid="transcript"]');
      const list = [...t.querySelectorAll('.list *')].find((e) => e.scrollHeight > e.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(e).overflowY));
      if (!list) return { error: 'no scrollable list' };
      list.scrollTop = arguments[0] === 'top' ? 0 : list.scrollHeight;
      const n = (a) => Number(t.getAttribute(a));
      return { state: t.getAttribute('data-state'), from: n('data-from'), to: n('data-to'), total: n('data-total') };`, where);
    return last && !last.error && last.state === 'ready' && done(last) && last;
  }, BIG_MS, 250).catch((e) => {
    e.message += `; last: ${JSON.stringify(last)}`;
    throw e;
  });
}

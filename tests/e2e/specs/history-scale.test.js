// A large history (tests/datasets/scale.mjs): 10,000 sessions in 500 project dirs and one 200 MB
// transcript. Every project is listed; a sample of projects and sessions is read and opened (not all
// 10,000: the GUI suite has a time budget); the 200 MB transcript shows its latest entries within
// E2E_BIG_TRANSCRIPT_MS (default 10 s: a generous bound for CI, the speed targets are the
// benchmark's), and "jump to start" brings its first entries. The webview throws nothing.
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
});

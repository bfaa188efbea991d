// A hostile history (tests/datasets/hostile.mjs): render bombs, script/URL payloads in titles,
// prompts, replies and tool results, duplicated uuids, one session id in two project dirs, a no-cwd
// file beside files with a cwd, garbage lines, invalid UTF-8, JSON nested 100,000 deep, an empty
// file, a FIFO and a dangling symlink named *.jsonl. Every project and session is listed and opens;
// nothing from a payload runs, loads or navigates; a render bomb shows as text or as the render
// fallback; the webview throws nothing.
import assert from 'node:assert/strict';
import { lstatSync, rmSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import {
  assertInert, assertNoPageErrors, assertProjects, assertSessionsListed, clickTranscriptLinks, launchOn, loadManifest,
  openByKey, readSessionLists, transcriptState, trap9,
} from '../histories.js';
import { env, quit, stepper, storeFile, until } from '../lib.js';

const M = loadManifest('E2E_DATASET_HOSTILE');
let driver;
let trap = null;
let origin = null;
let shown = new Map();
let where = new Map();

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

describe('a hostile history', () => {
  before(async () => {
    trap = await trap9();
    rmSync(storeFile('settings.json'), { force: true }); // the config dir comes from CLAUDE_CONFIG_DIR
    try {
      driver = await launchOn(env('E2E_APP_HOSTILE'));
    } catch (e) {
      driver = e.driver;
      throw e;
    }
    origin = await driver.executeScript('return location.origin');
  }, { timeout: 120_000 });

  after(async () => {
    await quit(driver);
    await trap?.close();
  });

  step('the data set has its odd files (a FIFO, a dangling symlink)', async () => {
    const kinds = Object.fromEntries(M.oddFiles.map((f) => [f.kind, lstatSync(f.path)]));
    assert.ok(kinds.fifo.isFIFO());
    assert.ok(kinds['dangling-symlink'].isSymbolicLink());
  });

  step('every project is listed once, with its path', async () => {
    shown = await assertProjects(driver, M);
  });

  step('every session is listed under its project, once (one id in two dirs: two rows)', async () => {
    where = await readSessionLists(driver, [...shown.keys()]);
    assertSessionsListed(M, M.sessions, where);
    const twins = M.sessions.filter((s) => s.twin);
    assert.equal(twins.length, 2);
    assert.ok(twins.every((s) => where.has(s.key)), 'both copies of the session are listed');
  }, 120_000);

  step('every session opens; render bombs show as text or as the render fallback; links do nothing', async (t) => {
    const failures = [];
    for (const s of M.sessions.filter((x) => where.has(x.key))) {
      try {
        // A FIFO or a dangling symlink, when listed, may open as an error; it must not hang.
        const states = s.odd ? ['ready', 'error'] : ['ready'];
        const r = await openByKey(driver, s, { project: where.get(s.key).project, ms: 30_000, states });
        assert.deepEqual(r.dupes, [], 'transcript items shown twice');
        if (s.bomb) {
          // A large entry may be cut ("Show all"): shown whole, as a user asks, it is rendered
          // (its end shows) or shown in the render fallback.
          const shownAll = await driver.executeScript(`
            const b = [...document.querySelectorAll('[data-testid="transcript"] [data-testid="entry-show-all"]')];
            for (const x of b) x.click();
            return b.length;`);
          let last = null;
          await until(`the ${s.bomb} bomb shown as text or in the render fallback`, async () => {
            last = await transcriptState(driver, s.probe ? [s.probe] : []);
            return last && (last.fallback > 0 || (s.probe && last.missing.length === 0) || (!s.probe && last.state === 'ready'));
          }, 20_000).catch((e) => {
            e.message += ` (clicked ${shownAll} "Show all"; transcript: ${JSON.stringify(last)})`;
            throw e;
          });
          r.fallback = last.fallback;
        }
        if (s.xss) {
          const hrefs = await clickTranscriptLinks(driver, origin);
          t.diagnostic(`${s.key}: clicked ${hrefs.length} links`);
        }
        await assertInert(driver, origin);
        await assertNoPageErrors(driver, `opening ${s.key}`);
        const banner = await driver.executeScript(
          'const b = document.querySelector(\'[data-testid="error-banner"]\'); return b ? b.textContent : "";');
        if (banner.includes(s.id)) {
          if (s.odd) t.diagnostic(`${s.key} (${s.odd}) is listed, and opening it says: ${banner.trim().slice(0, 200)}`);
          else assert.fail(`opening it shows an error: ${banner.trim().slice(0, 300)}`);
        }
        t.diagnostic(`${s.key}${s.bomb ? ` (${s.bomb})` : ''}: ${r.items} items${r.fallback ? `, ${r.fallback} fallback` : ''} in ${r.ms} ms`);
      } catch (e) {
        failures.push(`${s.key}${s.bomb ? ` (${s.bomb} bomb)` : ''}: ${e.message}`);
      }
    }
    assert.deepEqual(failures, [], 'sessions that did not open cleanly');
  }, 240_000);

  step('nothing ran or loaded from a payload', async (t) => {
    await assertInert(driver, origin);
    if (trap) assert.deepEqual(trap.hits, [], 'requests reached 127.0.0.1:9');
    else t.diagnostic('127.0.0.1:9 could not be listened on: requests to it are not checked');
  });
});

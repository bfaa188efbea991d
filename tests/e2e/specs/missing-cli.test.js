// A launch with no `claude` anywhere ($CCDESK_CLAUDE names a missing file, PATH and HOME hold none):
// the app still lists sessions, and says in words that the CLI is missing instead of failing silently.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { env, launchApp, one, quit, sessionIdsOnDisk, stepper, typeInto, until } from '../lib.js';

const DEMO = env('E2E_DEMO_DIR');
const NOT_FOUND = /cannot find the claude CLI/i;

let driver;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

describe('ccdesk GUI without a claude CLI', () => {
  before(async () => {
    // run.sh's wrapper sets CCDESK_CLAUDE, PATH and HOME for this launch only.
    driver = await launchApp(env('E2E_APP_NO_CLAUDE'));
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('a missing CLI is told in words, in the header and when starting a session', async () => {
    const info = await one(driver, 'app-info');
    const header = await until('the header to report the missing CLI', async () => {
      const t = await info.getText();
      return NOT_FOUND.test(t) ? t : null;
    });
    assert.match(header, /no-such-dir\/claude/, `the header should list where it looked: ${header}`);

    const before = sessionIdsOnDisk(DEMO).sort();
    await (await one(driver, 'new-session-button')).click();
    await typeInto(await one(driver, 'new-session-cwd'), DEMO);
    await typeInto(await one(driver, 'new-session-prompt'), 'this cannot run');
    await (await one(driver, 'new-session-start')).click();

    const said = await until('the failed session naming the missing CLI', async () => {
      const boxes = await driver.findElements({ css: '[data-testid="run-failure"], [data-testid="error-banner"]' });
      for (const b of boxes) {
        const t = await b.getText();
        if (NOT_FOUND.test(t)) return t;
      }
      return null;
    });
    assert.match(said, /Install Claude Code|PATH/, `the message should say what to do: ${said}`);
    assert.equal(await (await one(driver, 'run-status')).getAttribute('data-state'), 'failed');
    assert.deepEqual(sessionIdsOnDisk(DEMO).sort(), before, 'no session may be created');
  });
});

// The usage view: what the history cost, per day as a chart and a table, then per session and
// per project, from the transcripts in the run's config dir (the genuine fixtures and the
// sessions the fake CLI wrote).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { all, choose, launchApp, one, quit, screenshot, stepper, until } from '../lib.js';

let driver;
const step = stepper(() => driver);

describe('ccdesk GUI: usage', () => {
  before(async () => {
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('"Usage" shows the tokens and dollars of the history, a chart and a row per day', async () => {
    await (await one(driver, 'usage-button')).click();
    const total = await one(driver, 'usage-total', driver, 30_000);
    assert.match(await total.getText(), /\$[0-9.]+ for [0-9,]+ tokens/);
    const days = await until('the days', async () => {
      const rows = await all(driver, 'usage-row');
      return rows.length ? Promise.all(rows.map((r) => r.getAttribute('data-key'))) : null;
    });
    assert.ok(days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)), days.join());
    assert.deepEqual([...days].sort(), days, 'oldest first');
    const chart = await one(driver, 'usage-chart');
    const size = await chart.getRect();
    assert.ok(size.width > 200 && size.height > 100, JSON.stringify(size));
    assert.match(await (await one(driver, 'usage-source')).getText(), /pricing/);
    await screenshot(driver, 'usage');
  });

  step('by session, then by project: one row each, most expensive first', async () => {
    await choose(driver, 'usage-by', 'session');
    await until('rows keyed by session', async () => {
      const keys = await Promise.all((await all(driver, 'usage-row')).map((r) => r.getAttribute('data-key')));
      return keys.length > 0 && keys.every((k) => k.includes('/'));
    });
    assert.equal((await all(driver, 'usage-chart')).length, 0);
    await choose(driver, 'usage-by', 'project');
    await until('rows keyed by project dir', async () => {
      const keys = await Promise.all((await all(driver, 'usage-row')).map((r) => r.getAttribute('data-key')));
      return keys.length > 0 && keys.every((k) => !k.includes('/'));
    });
    await (await one(driver, 'usage-close')).click();
    await until('the usage view to close', async () => (await all(driver, 'usage-view')).length === 0);
  });
});

// The session engine through the GUI, on one app launch: a permission prompt answered with "Allow
// once", a hung turn interrupted with Esc, and several live sessions in the pool view at once. The
// fake CLI asks `can_use_tool` for a Write of fake-permission.txt on FAKE_PERMISSION, and hangs
// mid-turn (until interrupted) on FAKE_HANG_MIDTURN.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { Key } from 'selenium-webdriver';
import {
  all, clickInView, env, launchApp, one, openSession, quit, runState, screenshot, sessionIdsOnDisk, shownText,
  startNewSession, stepper, textContent, until,
} from '../lib.js';

const DEMO = env('E2E_DEMO_DIR');
const WORK = path.dirname(DEMO);

/** What the fake `claude agents --json` prints while it exists. */
const AGENTS_FILE = path.join(env('E2E_CONFIG_DIR'), 'fake-agents.json');

let driver;
/** The file the permission test allowed claude to write. */
let allowedFile = null;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

/**
 * Waits until a permission card takes clicks: for a moment after it appears its buttons are off
 * (the second click of a double click must not answer the next prompt).
 */
async function armed(card) {
  await until('the permission card to take clicks', async () => (await card.getAttribute('data-armed')) === 'true');
}

/** A fresh project folder (with a space in its name, as users have). */
function folder(name) {
  const dir = path.join(WORK, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function outputText() {
  return textContent(driver, await one(driver, 'run-output'));
}

/** The live list's rows as [run id, state]. */
async function liveRows() {
  const items = await all(driver, 'live-item');
  return Promise.all(items.map(async (i) => [await i.getAttribute('data-run-id'), await i.getAttribute('data-state')]));
}

describe('ccdesk GUI: the session engine', () => {
  before(async () => {
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
    rmSync(AGENTS_FILE, { force: true });
  });

  step('a permission prompt asks before a Write; "Allow once" lets it run and the turn finishes', async () => {
    const dir = folder('permission project');
    const file = path.join(dir, 'fake-permission.txt');
    assert.ok(!existsSync(file), 'the file must not exist before the turn');
    const runId = await startNewSession(driver, dir, 'FAKE_PERMISSION please write a file');

    const card = await one(driver, 'permission-card', driver, 20_000);
    assert.equal(await card.getAttribute('data-tool-name'), 'Write');
    assert.equal((await (await one(driver, 'permission-tool', card)).getText()).trim(), 'Write');
    const shownPath = await shownText(driver, await one(driver, 'permission-path', card));
    assert.ok(shownPath.endsWith('/permission project/fake-permission.txt'), `the card names the file: ${shownPath}`);
    const diff = await one(driver, 'permission-diff', card);
    const added = await diff.findElements({ css: '.line[data-sign="+"]' });
    assert.equal(added.length, 1, 'one added line');
    assert.equal((await textContent(driver, added[0])).trim(), '+x');
    // The fake suggests switching to acceptEdits for the session: offered, and said in words.
    assert.match(await (await one(driver, 'permission-allows', card)).getText(), /accept edits mode, for this session/);
    assert.equal(await runState(driver), 'waitingForPermission');
    const [row] = (await liveRows()).filter(([id]) => id === runId);
    assert.deepEqual(row, [runId, 'waitingForPermission'], 'the live list shows the session waiting');
    assert.ok(!existsSync(file), 'nothing is written before the answer');
    await screenshot(driver, 'permission-prompt');

    // The card is at the foot of the run view, under the session's transcript: scrolled to first.
    await armed(card);
    await clickInView(driver, await one(driver, 'permission-allow-once', card));
    await until('the permission card to go', async () => (await all(driver, 'permission-card')).length === 0);
    await until('the turn to finish (ready)', async () => (await runState(driver)) === 'ready', 20_000);
    const out = await outputText();
    assert.ok(out.includes(`File created successfully at: ${file}`), `the tool result is shown: ${out.slice(-400)}`);
    assert.match(out, /Turn finished/);
    allowedFile = file;
  });

  // The fake CLI performs the Write only once it is allowed.
  step('the allowed Write is on disk: fake-permission.txt holds "x"', async () => {
    assert.ok(allowedFile, 'the permission test ran');
    assert.ok(existsSync(allowedFile), `${allowedFile} was written`);
    assert.equal(readFileSync(allowedFile, 'utf8'), 'x\n');
  });

  step('"Rewind files to before this turn" takes the live session\'s Write back, after saying what it will do', async () => {
    assert.ok(allowedFile, 'the permission test ran');
    const dir = path.dirname(allowedFile);
    const [id] = sessionIdsOnDisk(dir);
    assert.ok(id, `a transcript for ${dir}`);
    await openSession(driver, dir, id);
    await (await one(driver, 'show-changes')).click();
    const turn = await until('the turn that wrote the file', async () => (await all(driver, 'changes-turn'))[0] ?? null, 20_000);
    await (await one(driver, 'rewind-turn', turn)).click();
    const state = await one(driver, 'rewind-state', turn);
    await until('the dry run', async () => (await state.getAttribute('data-step')) === 'confirm', 10_000);
    assert.match(await state.getText(), /Rewind 1 file/);
    assert.ok((await state.getText()).includes(allowedFile), await state.getText());
    assert.ok(existsSync(allowedFile), 'a dry run changes nothing');
    await screenshot(driver, 'rewind-files');
    await (await one(driver, 'rewind-confirm', turn)).click();
    await until('the rewind', async () => (await state.getAttribute('data-step')) === 'done', 10_000);
    assert.ok(!existsSync(allowedFile), 'the file the turn created is gone again');
    await (await one(driver, 'changes-close')).click();
    await until('the sheet to close', async () => (await all(driver, 'changes-view')).length === 0);
  });

  step('Esc interrupts a hung turn; the session is ready again and shows the interrupt', async () => {
    const runId = await startNewSession(driver, DEMO, 'FAKE_HANG_MIDTURN hang until interrupted');
    await until('the turn to stream', async () => (await runState(driver)) === 'streaming', 20_000);
    await until('the first delta', async () => (await outputText()).includes('Echo'), 20_000);
    await one(driver, 'interrupt-run');
    // Esc from the follow-up box (the run view's own field; only dialogs keep Esc to themselves).
    const box = await one(driver, 'followup-prompt');
    await box.click();
    await box.sendKeys(Key.ESCAPE);
    await until('the session to be ready again after Esc', async () => (await runState(driver)) === 'ready', 25_000);
    assert.equal(await (await one(driver, 'run-view')).getAttribute('data-run-id'), runId, 'the same session, still live');
    await one(driver, 'interrupt-marker');
    assert.match(await outputText(), /Turn interrupted/);
    assert.equal((await all(driver, 'interrupt-run')).length, 0, 'no Interrupt button once the turn ended');
    assert.equal((await all(driver, 'run-failure')).length, 0, 'an interrupt is not a failure');

    // The session takes the next prompt in the same process.
    await (await one(driver, 'followup-prompt')).sendKeys('after the interrupt');
    await (await one(driver, 'followup-send')).click();
    await until('the reply to the next prompt', async () => (await outputText()).includes('Echo: after the interrupt'), 20_000);
    await until('ready again', async () => (await runState(driver)) === 'ready', 20_000);
  });

  step('several sessions live at once show in the pool view, with their states and totals', async () => {
    // A third one, left waiting for permission, next to the two ready ones of the tests above.
    const waiting = await startNewSession(driver, folder('pool project'), 'FAKE_PERMISSION in the pool');
    await one(driver, 'permission-card', driver, 20_000);
    const rows = await until('three live sessions in the live list', async () => {
      const r = await liveRows();
      return r.length >= 3 && r.some(([id, st]) => id === waiting && st === 'waitingForPermission') ? r : null;
    });
    assert.ok(rows.filter(([, st]) => st === 'ready').length >= 2, `two ready sessions: ${JSON.stringify(rows)}`);

    // What `claude agents --json` reports (the fake prints this file): listed under the pool.
    writeFileSync(AGENTS_FILE, JSON.stringify([
      { pid: 4242, cwd: WORK, kind: 'interactive', startedAt: Date.now() - 120_000, sessionId: 'e2e-terminal-session', name: 'in-a-terminal', status: 'waiting', waitingFor: 'input needed' },
      { id: 'bgjob001', cwd: DEMO, kind: 'background', startedAt: Date.now() - 60_000, state: 'done', name: 'a finished job' },
    ]));
    await (await one(driver, 'open-pool-view')).click();
    const pool = await one(driver, 'pool-view');
    const agents = await until('the CLI\'s own sessions', async () => {
      const a = await all(driver, 'cli-agent');
      return a.length === 2 ? a : null;
    }, 15_000);
    assert.deepEqual(await Promise.all(agents.map((a) => a.getAttribute('data-activity'))), ['needsInput', 'completed']);
    assert.match(await agents[0].getText(), /needs input.*in-a-terminal.*terminal/s);
    const poolRows = await until('the pool view rows', async () => {
      const r = await all(driver, 'pool-row', pool);
      return r.length >= 3 ? r : null;
    });
    const states = await Promise.all(poolRows.map((r) => r.getAttribute('data-state')));
    assert.ok(states.includes('waitingForPermission') && states.filter((s) => s === 'ready').length >= 2, `states: ${states}`);
    const live = await (await one(driver, 'pool-live', pool)).getText();
    assert.match(live, /^\d+ of 8 live$/, `totals: ${live}`);
    assert.ok(Number(live.split(' ')[0]) >= 3, `at least 3 live: ${live}`);
    const byState = await Promise.all((await all(driver, 'pool-by-state', pool)).map((e) => e.getText()));
    assert.ok(byState.includes('waiting for permission: 1'), `by state: ${byState}`);
    // The finished sessions report their cost and tokens.
    const costs = await Promise.all(poolRows.map(async (r) => (await one(driver, 'pool-cost', r)).getText()));
    assert.ok(costs.every((c) => /^\$\d/.test(c)), `costs: ${costs}`);
    await screenshot(driver, 'pool-view');

    // A row opens its run view; the waiting one is denied from there.
    const row = poolRows[states.indexOf('waitingForPermission')];
    await (await one(driver, 'pool-open', row)).click();
    const view = await one(driver, 'run-view');
    assert.equal(await view.getAttribute('data-run-id'), waiting);
    await armed(await one(driver, 'permission-card'));
    await clickInView(driver, await one(driver, 'permission-deny'));
    await (await one(driver, 'permission-deny-message')).sendKeys('not in the pool test');
    await clickInView(driver, await one(driver, 'permission-deny-send'));
    await until('the denied turn to finish', async () => (await runState(driver)) === 'ready', 20_000);
    assert.match(await outputText(), /not in the pool test/);
    assert.ok(!existsSync(path.join(WORK, 'pool project', 'fake-permission.txt')), 'a denied Write writes nothing');

    // Close from the pool view ends a session: one row fewer.
    await (await one(driver, 'open-pool-view')).click();
    const before = (await all(driver, 'pool-row')).length;
    const target = (await all(driver, 'pool-row'))[0];
    await (await one(driver, 'pool-close', target)).click();
    await until('one row fewer after Close', async () => (await all(driver, 'pool-row')).length === before - 1);
  });
});

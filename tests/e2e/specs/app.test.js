// The main GUI journey on one app launch: list, open a transcript, start a new session that streams,
// resume a session. The tests run in order and share the app; each one navigates from the sidebar
// itself, so a failure leaves the next ones meaningful.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { Key } from 'selenium-webdriver';
import {
  all, env, launchApp, one, openSession, quit, runState, sanitizedDir, screenshot, selectProject,
  sessionIdsOnDisk, shownText, stepper, testId, textContent, texts, typeInto, until, withAttr,
} from '../lib.js';

const DEMO = env('E2E_DEMO_DIR');
const SEED_ID = env('E2E_SEED_ID');
const FAKE = env('E2E_FAKE_CLAUDE');
const CONFIG = env('E2E_CONFIG_DIR');
const OLD_PROJECT = '/home/dev/proj';
// A 2.1.112 session: two turns, a /compact, a third turn ("after compact").
const OLD_SESSION = '11111111-2222-4333-8444-555555555555';
const OLD_TRANSCRIPT = path.join(env('E2E_FIXTURES'), 'local-cli-2.1.112/projects/-home-dev-proj', `${OLD_SESSION}.jsonl`);
const OLD_PROMPTS = ['first turn', 'second turn', 'after compact'];
const OLD_REPLY = 'Hello from the mock API.';

let driver;

/** A test that leaves a screenshot in screenshots-tmp/ when it fails. */
const step = stepper(() => driver);

/** The transcript's message texts, once it shows at least `wanted` of each. */
async function transcriptTexts(wanted = {}) {
  const transcript = await one(driver, 'transcript');
  return until('the transcript to show the expected messages', async () => {
    const user = await texts(driver, 'message-user', transcript);
    const assistant = await texts(driver, 'message-assistant', transcript);
    const ok = (wanted.user ?? []).every((w) => user.some((t) => t.includes(w))) &&
      (wanted.assistant ?? []).every((w) => assistant.some((t) => t.includes(w)));
    return ok ? { user, assistant } : null;
  });
}

/**
 * The shown title of a session row. The list is windowed: a row just rendered may not be laid out
 * (displayed) yet, so this waits for it.
 */
function titleOf(row) {
  return until('the session title to be displayed', () => shownText(driver, row.findElement(testId('session-title'))));
}

async function runOutputText() {
  return textContent(driver, await one(driver, 'run-output'));
}

describe('ccdesk GUI', () => {
  before(async () => {
    driver = await launchApp();
  }, { timeout: 90_000 });

  after(async () => {
    await quit(driver);
  });

  step('the header tells which config dir and claude executable are in use', async () => {
    const info = await one(driver, 'app-info');
    const text = await until('app info to load', async () => {
      const t = await info.getText();
      return t.includes(CONFIG) ? t : null;
    });
    assert.ok(text.includes(FAKE), `app-info should name the claude in use (${FAKE}); it says: ${text}`);
  });

  step('the sessions are listed, an old session as not resumable because its folder is gone', async () => {
    const paths = await until('both projects to be listed', async () => {
      const items = await all(driver, 'project-item');
      const ps = await Promise.all(items.map((i) => i.getAttribute('data-project-path')));
      return ps.includes(OLD_PROJECT) && ps.includes(DEMO) ? ps : null;
    });
    assert.ok(paths.includes(OLD_PROJECT) && paths.includes(DEMO));

    // The demo project: its seeded session resumes.
    await selectProject(driver, DEMO);
    const seed = await withAttr(driver, 'session-item', 'data-session-id', SEED_ID);
    assert.equal(await seed.getAttribute('data-resumable'), 'true');
    assert.equal(await titleOf(seed), 'seed prompt');

    // The fixture project: the 2.1.112 session is titled by its first prompt and cannot resume.
    await selectProject(driver, OLD_PROJECT);
    const old = await withAttr(driver, 'session-item', 'data-session-id', OLD_SESSION);
    assert.equal(await old.getAttribute('data-resumable'), 'false');
    assert.equal(await titleOf(old), 'first turn');
    const badge = await (await old.findElement(testId('resumability-badge'))).getText();
    assert.match(badge, /project directory \/home\/dev\/proj no longer exists/, `badge says: ${badge}`);
    // Every session of that project is in the same state.
    for (const s of await all(driver, 'session-item')) {
      assert.equal(await s.getAttribute('data-resumable'), 'false', `${await s.getAttribute('data-session-id')} should not resume`);
    }
    await screenshot(driver, 'session-list');
  });

  step('a transcript opens with the genuine messages, and an old session cannot be resumed', async () => {
    // The expectations come from the fixture itself.
    const raw = readFileSync(OLD_TRANSCRIPT, 'utf8');
    for (const s of [...OLD_PROMPTS, OLD_REPLY]) assert.ok(raw.includes(JSON.stringify(s)), `fixture lacks ${s}`);

    await openSession(driver, OLD_PROJECT, OLD_SESSION);
    const { user, assistant } = await transcriptTexts({ user: OLD_PROMPTS, assistant: [OLD_REPLY] });
    for (const p of OLD_PROMPTS) assert.ok(user.some((t) => t.includes(p)), `no user message "${p}" in ${JSON.stringify(user)}`);
    const replies = assistant.filter((t) => t.includes(OLD_REPLY)).length;
    assert.ok(replies >= 3, `expected the 3 replies "${OLD_REPLY}", saw ${replies}: ${JSON.stringify(assistant)}`);

    const button = await one(driver, 'resume-button');
    assert.equal(await button.isEnabled(), false, 'resume button must be disabled');
    const prompt = await one(driver, 'resume-prompt');
    assert.equal(await prompt.isEnabled(), false, 'resume prompt must be disabled');
    await screenshot(driver, 'transcript');
  });

  step('a new session streams its reply and then appears in the list', async (t) => {
    const PROMPT = 'FAKE_SLOW hello from e2e';
    const REPLY = `Echo: ${PROMPT}`;
    const before = new Set(sessionIdsOnDisk(DEMO));

    await (await one(driver, 'new-session-button')).click();
    await typeInto(await one(driver, 'new-session-cwd'), DEMO);
    await typeInto(await one(driver, 'new-session-prompt'), PROMPT);
    const start = await one(driver, 'new-session-start');
    await until('Start to be enabled', () => start.isEnabled());
    await screenshot(driver, 'new-session-sheet');
    await start.click();

    await one(driver, 'run-view');
    await until('run-status "streaming"', async () => (await runState(driver)) === 'streaming', 15_000, 20);

    // Sample the output while it streams: it must grow before the reply is complete.
    const samples = [];
    let shot = false;
    while (samples.length < 200) {
      const status = await runState(driver);
      const text = await runOutputText();
      if (status !== 'streaming') break;
      samples.push({ len: text.length, complete: text.includes(REPLY) });
      if (!shot && samples.length >= 3) {
        await screenshot(driver, 'streaming-run');
        shot = true;
      }
      if (text.includes(REPLY)) break;
      await new Promise((r) => setTimeout(r, 60));
    }
    const partial = samples.filter((s) => !s.complete).map((s) => s.len);
    const grew = partial.some((len, i) => i > 0 && len > partial[0]);
    assert.ok(partial.length >= 2 && grew, `run-output should grow while streaming; partial lengths: ${JSON.stringify(partial)}`);
    assert.ok(shot, 'took no screenshot while streaming');
    t.diagnostic(`run-output lengths while streaming, before the reply was complete: ${partial.join(' ')}`);

    await until(`run-output to contain "${REPLY}"`, async () => (await runOutputText()).includes(REPLY), 15_000);
    await until('the turn to end', async () => (await runState(driver)) === 'ready', 15_000);
    assert.ok((await runOutputText()).includes(REPLY));

    // The new transcript is on disk, and the list shows it under the demo project.
    const [id] = await until('a new transcript in the demo project', async () => {
      const fresh = sessionIdsOnDisk(DEMO).filter((x) => !before.has(x));
      return fresh.length ? fresh : null;
    });
    await until(`session ${id} to be listed under the demo project`, async () => {
      await selectProject(driver, DEMO);
      const items = await all(driver, 'session-item');
      const ids = await Promise.all(items.map((i) => i.getAttribute('data-session-id')));
      return ids.includes(id) && ids.includes(SEED_ID);
    });
    const item = await withAttr(driver, 'session-item', 'data-session-id', id);
    assert.equal(await item.getAttribute('data-resumable'), 'true');
    assert.match(await titleOf(item), /hello from e2e/);
  });

  step('a follow-up prompt continues the live session, and Close ends it', async () => {
    // The session of the previous test is live and ready for another prompt.
    assert.equal(await runState(driver), 'ready', 'the new session should still be live and ready');
    const PROMPT = 'follow-up from e2e';
    await typeInto(await one(driver, 'followup-prompt'), PROMPT);
    const send = await one(driver, 'followup-send');
    await until('Send to be enabled', () => send.isEnabled());
    await send.click();
    await until(`run-output to contain "Echo: ${PROMPT}"`, async () => (await runOutputText()).includes(`Echo: ${PROMPT}`), 15_000);
    await until('the second turn to end', async () => (await runState(driver)) === 'ready', 15_000);
    const output = await runOutputText();
    assert.ok(output.includes('Echo: FAKE_SLOW hello from e2e'), 'the first reply stays in the run view');

    const runId = await (await one(driver, 'run-view')).getAttribute('data-run-id');
    assert.ok(runId, 'the run view names its run id');
    await (await one(driver, 'close-run')).click();
    await until('the run view to go after Close', async () => (await all(driver, 'run-view')).length === 0, 15_000);
    assert.equal((await all(driver, 'followup-prompt')).length, 0, 'a closed session takes no follow-up');
    const live = await all(driver, 'live-item');
    const ids = await Promise.all(live.map((e) => e.getAttribute('data-run-id')));
    assert.ok(!ids.includes(runId), `the closed session left the live list: ${JSON.stringify(ids)}`);
  });

  step('resuming a session continues the same transcript', async () => {
    const PROMPT = 'resume from e2e';
    const REPLY = `Echo: ${PROMPT}`;
    const before = sessionIdsOnDisk(DEMO).sort();

    await openSession(driver, DEMO, SEED_ID);
    await transcriptTexts({ user: ['seed prompt'] });
    const prompt = await one(driver, 'resume-prompt');
    await until('the resume prompt to be enabled', () => prompt.isEnabled());
    await typeInto(prompt, PROMPT);
    const button = await one(driver, 'resume-button');
    await until('Resume to be enabled', () => button.isEnabled());
    await button.click();

    await one(driver, 'run-view');
    await until(`run-output to contain "${REPLY}"`, async () => (await runOutputText()).includes(REPLY), 20_000);
    await until('the turn to end', async () => (await runState(driver)) === 'ready', 15_000);

    // Same session id: no new transcript, and the seed transcript holds both prompts.
    assert.deepEqual(sessionIdsOnDisk(DEMO).sort(), before, 'resume must not create a new session');
    const raw = readFileSync(path.join(CONFIG, 'projects', sanitizedDir(DEMO), `${SEED_ID}.jsonl`), 'utf8');
    assert.ok(raw.includes('seed prompt') && raw.includes(PROMPT), 'the seed transcript should hold both prompts');

    await (await one(driver, 'refresh-button')).click();
    await openSession(driver, DEMO, SEED_ID);
    const { user, assistant } = await transcriptTexts({ user: ['seed prompt', PROMPT], assistant: [REPLY] });
    assert.ok(user.findIndex((t) => t.includes('seed prompt')) < user.findIndex((t) => t.includes(PROMPT)), 'seed prompt comes first');
    assert.ok(assistant.some((t) => t.includes('Echo: seed prompt')), `the seed reply is kept: ${JSON.stringify(assistant)}`);
  });

  step('a transcript another process writes shows in the list as it is written, without a refresh', async () => {
    // What a terminal `claude` does while the window is open: a new transcript, then more lines.
    const id = randomUUID();
    const file = path.join(CONFIG, 'projects', sanitizedDir(DEMO), `${id}.jsonl`);
    const line = (obj) => `${JSON.stringify(obj)}\n`;
    await selectProject(driver, DEMO);
    writeFileSync(file, line({
      type: 'user', parentUuid: null, isSidechain: false, uuid: randomUUID(), sessionId: id, cwd: DEMO,
      version: '2.1.112', gitBranch: 'main', timestamp: new Date().toISOString(),
      message: { role: 'user', content: 'written by a terminal claude' },
    }));
    const row = await until('the new session to be listed', async () => {
      const rows = await all(driver, 'session-item');
      for (const r of rows) if ((await r.getAttribute('data-session-id')) === id) return r;
      return null;
    }, 20_000);
    assert.equal(await titleOf(row), 'written by a terminal claude');
    appendFileSync(file, line({ type: 'custom-title', customTitle: 'Renamed in the terminal', sessionId: id }));
    await until('the appended title to show', async () => {
      const r = await withAttr(driver, 'session-item', 'data-session-id', id);
      return (await shownText(driver, r.findElement(testId('session-title')))) === 'Renamed in the terminal';
    }, 20_000);
  });

  step('Ctrl+Shift+F searches every transcript; a hit in the transcript just written opens it at its line', async () => {
    await driver.actions().keyDown(Key.CONTROL).keyDown(Key.SHIFT).sendKeys('f').keyUp(Key.SHIFT).keyUp(Key.CONTROL).perform();
    const input = await one(driver, 'search-input');
    await typeInto(input, '"terminal claude"');
    const hit = await until('a search hit for the transcript written outside the app', async () => {
      const hits = await all(driver, 'search-hit');
      for (const h of hits) if ((await textContent(driver, h)).includes('written by a terminal claude')) return h;
      return null;
    }, 20_000);
    const marks = await texts(driver, 'search-hit');
    assert.ok(marks.length > 0);
    const marked = await driver.executeScript(
      "return [...document.querySelectorAll('[data-testid=search-hit] mark')].map((m) => m.textContent.toLowerCase())",
    );
    assert.ok(marked.includes('terminal') && marked.includes('claude'), `marked: ${JSON.stringify(marked)}`);
    await screenshot(driver, 'search');
    await hit.click();
    await until('the search sheet to close', async () => (await all(driver, 'search-sheet')).length === 0);
    await transcriptTexts({ user: ['written by a terminal claude'] });
    // The terms are marked in the transcript (CSS highlight ranges over its text; no markup).
    const highlighted = await until('the search terms marked in the transcript', async () => {
      const words = await driver.executeScript(
        "const h = globalThis.CSS && CSS.highlights && CSS.highlights.get('search-terms');" +
          'return h ? [...h].map((r) => r.toString().toLowerCase()) : null',
      );
      return words && words.includes('terminal') && words.includes('claude') ? words : null;
    }, 10_000);
    assert.ok(highlighted.every((w) => w === 'terminal' || w === 'claude'), `marked: ${JSON.stringify(highlighted)}`);
    await screenshot(driver, 'search-hit-open');
  });

  step('Ctrl+K lists sessions whose transcripts hold the words after the title matches', async () => {
    await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
    const input = await one(driver, 'quick-switcher-input');
    await typeInto(input, 'written');
    await until('a content hit in the switcher', async () => {
      for (const li of await all(driver, 'quick-switcher-item')) if ((await li.getAttribute('data-kind')) === 'content') return li;
      return null;
    }, 20_000);
    const kinds = await Promise.all((await all(driver, 'quick-switcher-item')).map((li) => li.getAttribute('data-kind')));
    assert.equal(kinds.indexOf('content'), kinds.filter((k) => k !== 'content').length, `content hits come last: ${kinds}`);
    await (await withAttr(driver, 'quick-switcher-item', 'data-kind', 'content')).click();
    await until('the switcher to close', async () => (await all(driver, 'quick-switcher')).length === 0);
    await transcriptTexts({ user: ['written by a terminal claude'] });
  });
});

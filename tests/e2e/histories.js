// Helpers of the history specs (specs/history-*.test.js): the app launched on a generated data set
// (tests/datasets: a Claude config dir plus manifest.json), its project and session lists read in
// bulk (scrolling through them, so a windowed list is read whole), sessions opened by their keys,
// and the transcript and the page checked from inside the webview (few WebDriver round trips).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { By } from 'selenium-webdriver';
import { WAIT_MS, assertNoPageErrors, env, launch, pageErrors, until } from './lib.js';

/** The manifest of the data set whose directory is in `$var` (run.sh exports E2E_DATASET_*). */
export function loadManifest(variable) {
  return JSON.parse(readFileSync(`${env(variable)}/manifest.json`, 'utf8'));
}

/**
 * Launches the app through `wrapper` (it sets CLAUDE_CONFIG_DIR to the data set's config dir) and
 * waits for the project list, failing with what the window shows instead (an empty list, uncaught
 * errors) rather than a bare timeout.
 */
export async function launchOn(wrapper, ms = 60_000) {
  const driver = await launch(wrapper);
  try {
    await until('the project list to show a project', async () =>
      (await driver.findElements(By.css('[data-testid="project-item"]'))).length > 0, ms, 250);
  } catch (e) {
    const errors = await pageErrors(driver).catch(() => []);
    const shown = await driver.executeScript(
      'const n = document.querySelector(\'nav[aria-label="Projects"]\'); return n ? n.innerText : document.body.innerText.slice(0, 500);',
    ).catch(() => '?');
    e.message = `${e.message}\n  the project list shows: ${JSON.stringify(shown)}\n  webview errors: ${JSON.stringify(errors)}`;
    e.driver = driver;
    throw e;
  }
  return driver;
}

/** How long one in-page scroll pass may run, in ms (under WebDriver's 10 s script timeout). */
const PASS_MS = 6_000;

/**
 * In-page code put before the scripts below: `scrollPass(sel, from, passMs, step, end)` finds the
 * scroll box of the first `sel` element and scrolls it from `from` (null: where it is, or from
 * the top when it is at its end) down most of a screen at a time, two frames apart, calling
 * `step()` after each move. A truthy answer ends the pass: `end(answer, box)`; so do the bottom
 * and `passMs`: `end(null, box)`. No scroll box: `end(step(), null)`.
 */
const SCROLL_PASS = `
const scrollPass = (sel, from, passMs, step, end) => {
  let box = document.querySelector(sel)?.parentElement ?? null;
  while (box && !(box.scrollHeight > box.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (!box) return end(step() || null, null);
  const atEnd = () => box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
  if (from !== null) box.scrollTop = from;
  else if (atEnd()) box.scrollTop = 0;
  const started = Date.now();
  const next = () => {
    const found = step();
    if (found) return end(found, box);
    if (atEnd() || Date.now() - started > passMs) return end(null, box);
    box.scrollTop += Math.max(50, box.clientHeight * 0.9);
    requestAnimationFrame(() => requestAnimationFrame(next));
  };
  requestAnimationFrame(() => requestAnimationFrame(next));
};`;

/**
 * Every element with this testid, scrolled through its scroll box (so a windowed list is read
 * whole), as objects of the given attributes. Also returns the values of attrs[0] that were in the
 * DOM twice at once (`dupes`). Reads in passes of at most PASS_MS, each going on where the last
 * stopped, for at most `ms` in all.
 */
export async function collect(driver, testid, attrs, ms = 60_000) {
  const seen = new Map();
  const dupes = new Set();
  const end = Date.now() + ms;
  let from = 0;
  for (;;) {
    const r = await driver.executeAsyncScript(
      `${SCROLL_PASS}
       const [testid, attrs, from, passMs, done] = arguments;
       const items = [];
       const dupes = new Set();
       const sel = '[data-testid="' + testid + '"]';
       const grab = () => {
         const now = new Set();
         for (const el of document.querySelectorAll(sel)) {
           const k = el.getAttribute(attrs[0]);
           if (now.has(k)) dupes.add(k);
           now.add(k);
           items.push(Object.fromEntries(attrs.map((a) => [a, el.getAttribute(a)])));
         }
       };
       scrollPass(sel, from, passMs, grab, (_, box) => {
         if (!box) return done({ items, dupes: [...dupes], done: true });
         const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
         const top = box.scrollTop;
         if (atEnd) box.scrollTop = 0;
         done({ items, dupes: [...dupes], done: atEnd, top });
       });`,
      testid,
      attrs,
      from,
      PASS_MS,
    );
    for (const item of r.items) if (!seen.has(item[attrs[0]])) seen.set(item[attrs[0]], item);
    for (const d of r.dupes) dupes.add(d);
    if (r.done) break;
    if (Date.now() > end) throw new Error(`reading every ${testid} took over ${ms} ms (${seen.size} read)`);
    from = r.top;
  }
  return { items: [...seen.values()], dupes: [...dupes] };
}

/**
 * The element with this testid and attribute value, scrolling its list until it is rendered (a
 * windowed list renders only what is in view), scrolled into the middle of the view. Each pass
 * goes on down from where the last stopped, and from the top once at the end.
 */
export async function reveal(driver, testid, attr, value, ms = 40_000) {
  return until(`[data-testid="${testid}"][${attr}="${value}"]`, async () =>
    driver.executeAsyncScript(
      `${SCROLL_PASS}
       const [testid, attr, value, passMs, done] = arguments;
       const sel = '[data-testid="' + testid + '"]';
       const find = () => {
         const el = [...document.querySelectorAll(sel)].find((e) => e.getAttribute(attr) === value);
         if (el) el.scrollIntoView({ block: 'center' });
         return el;
       };
       const el = find();
       if (el) return done(el);
       scrollPass(sel, null, passMs, find, (found) => done(found || null));`,
      testid,
      attr,
      value,
      PASS_MS,
    ), ms, 100);
}

/** Clicks the project with this key and waits until it is the selected one. */
export async function selectProjectKey(driver, key) {
  const item = await reveal(driver, 'project-item', 'data-project-key', key);
  if ((await item.getAttribute('aria-current')) !== 'true') await driver.executeScript('arguments[0].click()', item);
  await until(`project ${key} to be selected`, async () =>
    (await (await reveal(driver, 'project-item', 'data-project-key', key)).getAttribute('aria-current')) === 'true');
}

/** The sessions listed for the selected project: [{ key, id }], and keys shown twice at once. */
export async function listedSessions(driver) {
  const { items, dupes } = await collect(driver, 'session-item', ['data-session-key', 'data-session-id']);
  return { sessions: items.map((i) => ({ key: i['data-session-key'], id: i['data-session-id'] })), dupes };
}

/** Collapses runs of whitespace (markdown and the DOM may change them). */
const squash = (s) => s.replace(/\s+/g, ' ').trim();

/**
 * The transcript in view, read inside the page: its state, its `data-session-key` (if it has one),
 * how many items it shows, item keys shown twice, which of `texts` it lacks, whether it shows a
 * render fallback.
 */
export function transcriptState(driver, texts = []) {
  return driver.executeScript(
    `const [texts] = arguments;
     const t = document.querySelector('[data-testid="transcript"]');
     if (!t) return null;
     const squash = (s) => s.replace(/\\s+/g, ' ').trim();
     const body = squash(t.textContent);
     const keys = [...t.querySelectorAll('[data-testid="transcript-item"]')].map((e) => e.getAttribute('data-entry-key'));
     const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
     return {
       state: t.getAttribute('data-state'),
       sessionKey: t.getAttribute('data-session-key'),
       items: keys.length,
       dupes: [...new Set(dupes)].slice(0, 10),
       missing: texts.filter((x) => !body.includes(squash(x))),
       fallback: t.querySelectorAll('[data-testid="render-fallback"]').length,
     };`,
    texts.map(squash),
  );
}

/**
 * Opens the session `s` of a manifest (its project, then its row) and waits until the transcript
 * is in one of `states` (data-state; default ready) and shows `texts`. Returns the transcript state and how long it took (ms).
 */
export async function openByKey(driver, s, { project = s.project, texts = s.texts ?? [], ms = 20_000, states = ['ready'] } = {}) {
  const started = Date.now();
  await selectProjectKey(driver, project);
  const row = await reveal(driver, 'session-item', 'data-session-key', s.key);
  await driver.executeScript('arguments[0].click()', row);
  await until(`session ${s.key} to be selected`, async () =>
    (await (await reveal(driver, 'session-item', 'data-session-key', s.key)).getAttribute('aria-current')) === 'true');
  let last = null;
  try {
    await until(`the transcript of ${s.key} to be ready`, async () => {
      last = await transcriptState(driver, texts);
      if (!last || !states.includes(last.state)) return false;
      if (last.sessionKey && last.sessionKey !== s.key) return false;
      return last.missing.length === 0;
    }, ms, 100);
  } catch (e) {
    e.message += `; transcript: ${JSON.stringify(last)}`;
    throw e;
  }
  return { ...last, ms: Date.now() - started };
}

/** Where a session may be listed: its project, or (no cwd) any project of the same dir. */
export function acceptedProjects(manifest, s) {
  const keys = new Set([s.project]);
  if (s.cwd === null) {
    for (const p of manifest.projects) if (p.dirName === s.dir) keys.add(p.key);
  }
  return keys;
}

/**
 * Checks the project list against the manifest: no key twice, every required project shown with
 * its path, nothing shown that the manifest does not know. Returns the shown projects.
 */
export async function assertProjects(driver, manifest) {
  const { items, dupes } = await collect(driver, 'project-item', ['data-project-key', 'data-project-path']);
  assert.ok(items.every((i) => i['data-project-key']), 'every project-item has a data-project-key');
  assert.deepEqual(dupes, [], 'no project is in the list twice');
  const shown = new Map(items.map((i) => [i['data-project-key'], i['data-project-path']]));
  const missing = manifest.projects.filter((p) => p.required && !shown.has(p.key)).map((p) => p.key);
  assert.deepEqual(missing, [], `projects of the manifest not listed (${shown.size} listed)`);
  for (const p of manifest.projects) {
    if (shown.has(p.key)) assert.equal(shown.get(p.key), p.path ?? '', `data-project-path of ${p.key}`);
  }
  const dirs = new Set(manifest.projects.map((p) => p.dirName));
  const unknown = [...shown.keys()].filter((k) => !manifest.projects.some((p) => p.key === k) && !(k.startsWith('dir:') && dirs.has(k.slice(4))));
  assert.deepEqual(unknown, [], 'projects listed that the data set does not have');
  return shown;
}

/**
 * Clicks each of `projectKeys` and reads its session list; checks no session key is shown twice
 * and every session shows under one project only. Returns Map(session key -> { project, id }).
 */
export async function readSessionLists(driver, projectKeys) {
  const where = new Map();
  for (const pk of projectKeys) {
    await selectProjectKey(driver, pk);
    // The list once it is there and the same on two reads 150 ms apart (the selection settled).
    let previous = null;
    const { sessions, dupes } = await until(`the sessions of ${pk}`, async () => {
      const r = await listedSessions(driver);
      const same = previous !== null && JSON.stringify(previous) === JSON.stringify(r);
      previous = r;
      return r.sessions.length && same ? r : null;
    }, WAIT_MS, 150);
    assert.ok(sessions.every((s) => s.key), `every session-item of ${pk} has a data-session-key`);
    assert.deepEqual(dupes, [], `no session is listed twice in ${pk}`);
    for (const s of sessions) {
      assert.ok(!where.has(s.key), `session ${s.key} is listed under ${where.get(s.key)?.project} and ${pk}`);
      where.set(s.key, { project: pk, id: s.id });
    }
  }
  return where;
}

/** Checks every session of `sessions` is listed where it belongs, with its id. */
export function assertSessionsListed(manifest, sessions, where) {
  const problems = [];
  for (const s of sessions) {
    const got = where.get(s.key);
    if (!got) {
      if (s.listed === true) problems.push(`${s.key} is not listed`);
      continue;
    }
    if (!acceptedProjects(manifest, s).has(got.project)) problems.push(`${s.key} is listed under ${got.project}, not ${s.project}`);
    if (got.id !== s.id) problems.push(`${s.key} has data-session-id ${got.id}`);
  }
  assert.deepEqual(problems, [], 'the session lists match the data set');
}

/**
 * Checks inside the page that no payload did anything: `window.__pwned` is unset, the transcript,
 * the lists and the session heading hold no active element (script, iframe, object, embed, meta,
 * link, base, style) and no `on*` attribute, no link or image there has a javascript:/data: URL,
 * and the page is still the app's.
 */
export async function assertInert(driver, origin) {
  const r = await driver.executeScript(`
    // Where transcript and title text is shown.
    const roots = [...document.querySelectorAll('[data-testid="transcript"], [data-testid="session-item"], [data-testid="project-item"], [data-testid="session-heading"]')];
    const within = (sel) => roots.flatMap((root) => [...root.querySelectorAll(sel)]);
    const bad = within('script, iframe, frame, object, embed, meta, link, base, style').map((e) => e.outerHTML.slice(0, 120));
    const handlers = within('*').concat(roots).filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 120));
    const urls = within('[href], [src]')
      .map((e) => String(e.href?.baseVal ?? e.href ?? e.src ?? ''))
      .filter((u) => /^\\s*(javascript|data|vbscript):/i.test(u));
    return { pwned: typeof window.__pwned, origin: location.origin, bad, handlers: handlers.slice(0, 5), urls };`);
  assert.equal(r.pwned, 'undefined', 'window.__pwned was set: a payload ran');
  assert.deepEqual(r.bad, [], 'active elements from a payload in the DOM');
  assert.deepEqual(r.handlers, [], 'event handler attributes in the DOM');
  assert.deepEqual(r.urls, [], 'javascript:/data:/vbscript: URLs in the DOM');
  if (origin) assert.equal(r.origin, origin, 'the webview navigated away');
}

/**
 * Clicks (from the page) every link in the transcript, as a curious user would, then checks nothing
 * ran and the webview stayed on the app. Returns the hrefs clicked.
 */
export async function clickTranscriptLinks(driver, origin) {
  const hrefs = await driver.executeScript(`
    const t = document.querySelector('[data-testid="transcript"]');
    const links = t ? [...t.querySelectorAll('a')] : [];
    for (const a of links) a.click();
    return links.map((a) => a.getAttribute('href'));`);
  await new Promise((r) => setTimeout(r, 300));
  await until('the app to still answer after the link clicks', async () =>
    (await driver.executeScript('return document.readyState')) === 'complete');
  await assertInert(driver, origin);
  return hrefs;
}

/**
 * A listener on 127.0.0.1:9 (the payloads' image, stylesheet and refresh target) counting the
 * requests that reach it. Resolves with null when the port cannot be had (not root, or taken).
 */
export function trap9() {
  return new Promise((resolve) => {
    const hits = [];
    const server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
    server.on('error', () => resolve(null));
    server.listen(9, '127.0.0.1', () => resolve({ hits, close: () => new Promise((r) => server.close(r)) }));
  });
}

export { assertNoPageErrors };

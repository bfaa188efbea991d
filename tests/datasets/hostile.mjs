// The "hostile" data set: a Claude config dir whose transcripts try to break the window. Render
// bombs, script/URL payloads in titles, prompts, replies and tool results, duplicated uuids and a
// parentUuid cycle, one session id in two project dirs, a no-cwd file beside files with a cwd in
// one dir, garbage lines, invalid UTF-8, JSON nested 100,000 deep, an empty file, a FIFO and a
// dangling symlink named *.jsonl. Deterministic (fixed seeds and clock), no network.
//
//   node tests/datasets/hostile.mjs <outdir>    writes <outdir>/config, <outdir>/work, <outdir>/manifest.json
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session, clock, dirNameFor, outDir, projectKey, uuids, writeManifest } from './lib.mjs';

const OUT = outDir();
const CONFIG = path.join(OUT, 'config');
const WORK = path.join(OUT, 'work');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(path.join(CONFIG, 'projects'), { recursive: true });

const uuid = uuids(0x405717e);
const now = clock(Date.UTC(2026, 2, 1, 8, 0, 0), 2000);

/** The script/URL payloads: none of them may run, load or navigate anything. */
export const XSS = [
  '<img src=x onerror="window.__pwned=1">',
  '<svg><script>window.__pwned=1</script>',
  '[x](javascript:window.__pwned=1)',
  '[f](file:///etc/passwd)',
  '![r](http://127.0.0.1:9/x.png)',
  '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
  '[j](jav&#x61;script:window.__pwned=1)',
  '<a href="jav&#x61;script:window.__pwned=1">a</a>',
  '<iframe src="javascript:window.__pwned=1"></iframe>',
  '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
  '<style>@import "http://127.0.0.1:9/y.css";</style>',
];
const ALL_XSS = XSS.join(' ');

const projects = new Map(); // key -> project
const sessions = [];

function project(cwd, { dirName = dirNameFor(cwd), exists = true, required = true } = {}) {
  const key = projectKey(cwd, dirName);
  if (!projects.has(key)) projects.set(key, { key, path: cwd, dirName, exists, required });
  if (cwd && exists) mkdirSync(cwd, { recursive: true });
  mkdirSync(path.join(CONFIG, 'projects', dirName), { recursive: true });
  return projects.get(key);
}

/** Writes `content` (string or Buffer) as <dirName>/<id>.jsonl and records the session. */
function write(dirName, id, content, entry) {
  writeFileSync(path.join(CONFIG, 'projects', dirName, `${id}.jsonl`), content);
  sessions.push({ id, dir: dirName, key: `${dirName}/${id}`, listed: true, opens: true, texts: [], ...entry });
}

function newSession(cwd, extra = {}) {
  return new Session({ sessionId: uuid(), cwd, uuid, now, ...extra });
}

// ---- 1. render bombs, one session each ----------------------------------------------------------
const BOMBS = path.join(WORK, 'hostile bombs');
const bombs = project(BOMBS);
/** [name, how the bomb is written, text the transcript shows once it is shown whole (or null)] */
const bombList = [
  ['blockquotes', (s) => s.assistant(`${'>'.repeat(2048)} bomb-end-gt`), 'bomb-end-gt'],
  ['emphasis', (s) => s.assistant(`${'*a'.repeat(95_000)} bomb-end-emph`), 'bomb-end-emph'],
  ['spaces', (s) => s.raw(`<local-command-stdout>a${' '.repeat(80_000)}a</local-command-stdout>`), null],
  ['bash-input', (s) => s.raw('<bash-input>x</bash-input>'.repeat(Math.ceil((240 * 1024) / 25))), null],
  ['tool-result-3mb', (s) => s.bash('cat big.log', `bomb-3mb-start\n${'0123456789abcdef ~ log line of a long build output\n'.repeat(3 * 1024 * 1024 / 52)}bomb-3mb-end`), 'bomb-3mb-start'],
];
for (const [name, bomb, probe] of bombList) {
  const s = newSession(BOMBS);
  const prompt = `render bomb: ${name}`;
  s.user(prompt);
  bomb(s);
  s.assistant(`after the ${name} bomb`);
  s.lastPrompt(prompt);
  write(bombs.dirName, s.sessionId, s.text(), {
    cwd: BOMBS, project: bombs.key, title: prompt, bomb: name, probe, texts: [prompt, `after the ${name} bomb`],
  });
}

// ---- 2. payloads in titles, prompts, replies and tool results ------------------------------------
const XSSDIR = path.join(WORK, 'hostile xss');
const xss = project(XSSDIR);
{
  // Titled by a custom-title line (a /rename), payloads everywhere.
  const s = newSession(XSSDIR);
  s.user(`xss prompt ${ALL_XSS}`);
  s.assistant(`xss reply ${ALL_XSS}\n\n${XSS.map((p) => `- ${p}`).join('\n')}\n\n\`\`\`html\n${XSS[0]}\n\`\`\``);
  s.bash(`echo '${XSS[0]}'`, `xss tool result ${ALL_XSS}`);
  s.assistant([{ type: 'thinking', thinking: `xss thinking ${ALL_XSS}`, signature: 'sig' }, { type: 'text', text: 'xss done' }]);
  s.customTitle(`${XSS[0]} custom title`);
  s.lastPrompt(`xss prompt ${ALL_XSS}`);
  write(xss.dirName, s.sessionId, s.text(), { cwd: XSSDIR, project: xss.key, xss: true, texts: ['xss done'] });
}
for (const [i, p] of XSS.entries()) {
  // Titled by a summary line (old builds' titles), one payload each ...
  const s = newSession(XSSDIR);
  s.user(`summary-titled ${i}`);
  s.assistant(`reply ${i}: ${p}`);
  s.summary(p);
  write(xss.dirName, s.sessionId, s.text(), { cwd: XSSDIR, project: xss.key, xss: true, texts: [`summary-titled ${i}`] });
}
{
  // ... and titled by the first prompt, the payload itself.
  const s = newSession(XSSDIR);
  s.user(XSS[1]);
  s.assistant(`prompt-titled: ${XSS[5]}`);
  write(xss.dirName, s.sessionId, s.text(), { cwd: XSSDIR, project: xss.key, xss: true, texts: ['prompt-titled'] });
}

// ---- 3. one session id in two project dirs ---------------------------------------------------------
// A transcript copied into a second dir (as a renamed project leaves behind): the same id, the
// same cwd in its lines, two files. Both are listed, under distinct keys.
const TWIN = path.join(WORK, 'hostile twin');
const twin = project(TWIN);
const twinMoved = dirNameFor(path.join(WORK, 'hostile twin (old name)'));
mkdirSync(path.join(CONFIG, 'projects', twinMoved), { recursive: true });
{
  const s = newSession(TWIN);
  s.user('twin session prompt');
  s.assistant('twin session reply');
  write(twin.dirName, s.sessionId, s.text(), { cwd: TWIN, project: twin.key, texts: ['twin session reply'], twin: true });
  copyFileSync(path.join(CONFIG, 'projects', twin.dirName, `${s.sessionId}.jsonl`), path.join(CONFIG, 'projects', twinMoved, `${s.sessionId}.jsonl`));
  sessions.push({ id: s.sessionId, dir: twinMoved, key: `${twinMoved}/${s.sessionId}`, cwd: TWIN, project: twin.key, listed: true, opens: true, texts: ['twin session reply'], twin: true });
}

// ---- 4. a file without cwd beside files with one, in one dir -----------------------------------------
const MIXED = path.join(WORK, 'hostile mixed');
const mixed = project(MIXED);
const mixedNoCwd = project(null, { dirName: mixed.dirName, required: false });
for (const n of [1, 2]) {
  const s = newSession(MIXED);
  s.user(`mixed with cwd ${n}`);
  s.assistant(`mixed reply ${n}`);
  write(mixed.dirName, s.sessionId, s.text(), { cwd: MIXED, project: mixed.key, title: `mixed with cwd ${n}`, texts: [`mixed reply ${n}`] });
}
{
  // A conversation whose lines carry no cwd: listed (its project is unknown: the dir's).
  const s = newSession(null);
  s.user('mixed without cwd');
  s.assistant('mixed reply without cwd');
  write(mixed.dirName, s.sessionId, s.text(), { cwd: null, project: mixedNoCwd.key, texts: ['mixed reply without cwd'] });
}
{
  // Only summary lines (what 1.0.x leaves beside a resumed session): maybe listed; opens if it is.
  const id = uuid();
  const text = `${JSON.stringify({ type: 'summary', summary: 'Summary-only file', leafUuid: uuid() })}\n`;
  write(mixed.dirName, id, text, { cwd: null, project: mixedNoCwd.key, listed: 'maybe', texts: [] });
}
// An empty file: maybe listed; opens if it is.
write(mixed.dirName, uuid(), '', { cwd: null, project: mixedNoCwd.key, listed: 'maybe', texts: [] });

// ---- 5. broken files ------------------------------------------------------------------------------------
const BROKEN = path.join(WORK, 'hostile broken');
const broken = project(BROKEN);
{
  // Duplicated uuids: a line written twice, two different lines with one uuid, a parentUuid cycle.
  const s = newSession(BROKEN);
  s.user('duplicate uuids prompt');
  const a = s.assistant('first reply');
  s.push(s.lines[s.lines.length - 1]); // the same line again
  s.user('second prompt');
  s.assistant('reply sharing a uuid', { uuid: a });
  const u1 = uuid();
  const u2 = uuid();
  s.parent = u2;
  s.assistant('cycle one', { uuid: u1 });
  s.parent = u1;
  s.assistant('cycle two', { uuid: u2 });
  s.parent = u2;
  s.user('after the cycle');
  s.assistant('last reply of the duplicate-uuid session');
  write(broken.dirName, s.sessionId, s.text(), { cwd: BROKEN, project: broken.key, title: 'duplicate uuids prompt', texts: ['duplicate uuids prompt'], dupUuids: true });
}
{
  // Garbage lines and invalid UTF-8 among genuine ones; the last line half written.
  const s = newSession(BROKEN);
  s.user('garbage lines prompt');
  s.push('not json at all');
  s.push('{"type":"user", "message": {"role": "user", "content": "truncated');
  s.push('\u0000\u0000\u0000');
  s.push('[]');
  s.push('42');
  s.push('{"type":null}');
  s.push('{"type":"assistant","message":"a string, not an object"}');
  s.push('{"type":"user","message":{"role":"user","content":{"weird":true}}}');
  s.push('{"type":"assistant","message":{"role":"assistant","content":[{"type":"text"},{"type":"tool_use"},{"type":"no-such-block","x":1},null,7]}}');
  s.push(JSON.stringify({ type: 'no-such-line-type', payload: { a: 1 } }));
  s.assistant('reply between garbage');
  const before = Buffer.from(s.text());
  const bad = s.user('INVALID_UTF8_MARK', { queue: false });
  const badLine = Buffer.from(`${s.lines.pop()}\n`);
  s.lines.length = 0;
  // Replace the marker by raw invalid bytes: a lone continuation byte, 0xff, a cut 3-byte sequence.
  const mark = Buffer.from('INVALID_UTF8_MARK');
  const at = badLine.indexOf(mark);
  const invalid = Buffer.concat([badLine.subarray(0, at), Buffer.from([0x62, 0x61, 0x64, 0x20, 0x80, 0xff, 0xfe, 0x20, 0xe2, 0x82]), badLine.subarray(at + mark.length)]);
  s.parent = bad;
  s.assistant('reply after invalid bytes');
  const tail = Buffer.from(`${s.text()}{"type":"user","message":{"role":"user","content":"half writ`);
  write(broken.dirName, s.sessionId, Buffer.concat([before, invalid, tail]), { cwd: BROKEN, project: broken.key, title: 'garbage lines prompt', texts: ['reply between garbage', 'reply after invalid bytes'] });
}
{
  // JSON nested 100,000 deep: as a line of its own and as a message's content.
  const s = newSession(BROKEN);
  s.user('deep nesting prompt');
  s.push(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const u = uuid();
  s.push(`{"type":"user","uuid":"${u}","parentUuid":"${s.parent}","sessionId":"${s.sessionId}","cwd":${JSON.stringify(BROKEN)},"timestamp":"${now()}","message":{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
  s.push(`{"type":"assistant","deep":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
  s.assistant('reply after deep nesting');
  write(broken.dirName, s.sessionId, s.text(), { cwd: BROKEN, project: broken.key, title: 'deep nesting prompt', texts: ['reply after deep nesting'] });
}
const oddFiles = [];
{
  // A FIFO named *.jsonl (nobody writes to it: opening it for reading blocks), a dangling symlink.
  const fifo = path.join(CONFIG, 'projects', broken.dirName, `${uuid()}.jsonl`);
  execFileSync('mkfifo', [fifo]);
  const link = path.join(CONFIG, 'projects', broken.dirName, `${uuid()}.jsonl`);
  symlinkSync(path.join(OUT, 'no-such-target.jsonl'), link);
  oddFiles.push({ kind: 'fifo', path: fifo }, { kind: 'dangling-symlink', path: link });
  // Better left out of the list; when listed, opening one must not hang nor throw (an error state is fine).
  const brokenNoCwd = project(null, { dirName: broken.dirName, required: false });
  for (const f of oddFiles) {
    const id = path.basename(f.path, '.jsonl');
    sessions.push({ id, dir: broken.dirName, key: `${broken.dirName}/${id}`, cwd: null, project: brokenNoCwd.key, listed: 'maybe', opens: true, odd: f.kind, texts: [] });
  }
}

writeManifest(OUT, {
  dataset: 'hostile',
  config: CONFIG,
  work: WORK,
  projects: [...projects.values()],
  sessions,
  oddFiles,
  xss: XSS,
});
console.error(`hostile: ${sessions.length} sessions in ${projects.size} projects under ${CONFIG}`);

// The "scale" data set: 10,000 small sessions in 500 project dirs, and one 200 MB transcript
// (every 50th line a 200 KB tool result), all in the shapes the real CLI writes (user prompts,
// assistant text, Bash tool calls and results, queue-operation / last-prompt / custom-title /
// summary lines; see tests/fixtures/samples). Deterministic; a few seconds on one core.
//
//   node tests/datasets/scale.mjs <outdir> [--sessions N] [--projects N] [--big-mb N]
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Session, clock, dirNameFor, outDir, projectKey, rng, uuids, writeManifest } from './lib.mjs';

const OUT = outDir();
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N_SESSIONS = arg('--sessions', 10_000);
const N_PROJECTS = arg('--projects', 500);
const BIG_BYTES = arg('--big-mb', 200) * 1024 * 1024;

const CONFIG = path.join(OUT, 'config');
const WORK = path.join(OUT, 'work', 'scale');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(path.join(CONFIG, 'projects'), { recursive: true });

const started = Date.now();
const uuid = uuids(0x5ca1e);
const pick = rng(42);
const choose = (xs) => xs[(pick() * xs.length) | 0];

const VERBS = ['Fix', 'Add', 'Explain', 'Refactor', 'Test', 'Document', 'Speed up', 'Review', 'Rename', 'Remove'];
const THINGS = ['the login form', 'the CSV export', 'flaky retry logic', 'the cache layer', 'error messages', 'the CLI flags', 'the build script', 'pagination', 'the settings page', 'date parsing'];
const COMMANDS = ['git status', 'ls -la src', 'cargo test -q', 'npm test', 'rg -n TODO', 'git log --oneline -5', 'cat package.json', 'pytest -q'];
const SHAPES = ['', '.api', '_service', '-web', ' tools', '.v2'];

// ---- 10,000 small sessions in 500 projects --------------------------------------------------------
const projects = [];
const sessions = [];
for (let p = 0; p < N_PROJECTS; p++) {
  const cwd = path.join(WORK, `proj-${String(p).padStart(3, '0')}${SHAPES[p % SHAPES.length]}`);
  mkdirSync(cwd, { recursive: true });
  const dirName = dirNameFor(cwd);
  mkdirSync(path.join(CONFIG, 'projects', dirName));
  projects.push({ key: projectKey(cwd, dirName), path: cwd, dirName, exists: true, required: true, sessions: 0 });
}
for (let i = 0; i < N_SESSIONS; i++) {
  const proj = projects[i % N_PROJECTS];
  proj.sessions++;
  const id = uuid();
  // Sessions spread over a year, each a few minutes long.
  const now = clock(Date.UTC(2025, 0, 1) + i * 3_000_000, 2_300);
  const s = new Session({ sessionId: id, cwd: proj.path, uuid, now, version: choose(['2.1.112', '2.1.98', '2.0.76']), gitBranch: choose(['main', 'dev', 'feature/x']) });
  const first = `${choose(VERBS)} ${choose(THINGS)} (#${i})`;
  const turns = 1 + ((pick() * 3) | 0);
  let prompt = first;
  for (let t = 0; t < turns; t++) {
    s.user(prompt, { queue: t === 0 });
    if (pick() < 0.6) {
      const cmd = choose(COMMANDS);
      s.assistant(`I'll start by running \`${cmd}\`.`, { stop: null });
      s.bash(cmd, `${cmd}: ok\n${'src/main.rs\nsrc/lib.rs\n'.repeat(1 + ((pick() * 5) | 0))}`);
    }
    s.assistant(`Done with step ${t + 1} of session ${i}: ${choose(THINGS)} is ${choose(['fixed', 'documented', 'covered by a test', 'faster now'])}.`);
    prompt = `${choose(VERBS)} ${choose(THINGS)} next`;
  }
  s.lastPrompt(first);
  let title = first;
  if (i % 7 === 0) s.summary((title = `Summary title ${i}`));
  if (i % 11 === 0) s.customTitle((title = `Custom title ${i}`));
  writeFileSync(path.join(CONFIG, 'projects', proj.dirName, `${id}.jsonl`), s.text());
  sessions.push({ id, dir: proj.dirName, key: `${proj.dirName}/${id}`, cwd: proj.path, project: proj.key, title, listed: true, opens: true, texts: [first] });
}

// ---- one 200 MB transcript -------------------------------------------------------------------------
const BIG_CWD = path.join(WORK, 'big transcript');
mkdirSync(BIG_CWD, { recursive: true });
const bigDir = dirNameFor(BIG_CWD);
mkdirSync(path.join(CONFIG, 'projects', bigDir));
const bigId = uuid();
const bigFile = path.join(CONFIG, 'projects', bigDir, `${bigId}.jsonl`);
const fd = openSync(bigFile, 'w');
const big = new Session({ sessionId: bigId, cwd: BIG_CWD, uuid, now: clock(Date.UTC(2026, 3, 1), 700) });
const BIG_RESULT = `${'     1→fn main() { println!("a line of a long source file read by a tool"); }\n'.repeat(200 * 1024 / 80)}`;
const FIRST = 'SCALE-BIG-FIRST prompt of the 200 MB transcript';
let written = 0;
let lines = 0;
let turn = 0;
const flush = () => {
  const text = big.text();
  lines += big.lines.length;
  big.lines.length = 0;
  writeSync(fd, text);
  written += Buffer.byteLength(text);
};
big.user(FIRST);
big.assistant('SCALE-BIG-FIRST reply: reading the files one by one.');
while (written < BIG_BYTES - 600 * 1024) {
  // 48 ordinary lines (12 prompts, small tool calls, replies), then a tool call whose result is 200 KB.
  while (big.lines.length < 48) {
    big.user(`step ${++turn}: ${choose(VERBS)} ${choose(THINGS)}`, { queue: false });
    const cmd = choose(COMMANDS);
    big.bash(cmd, `${cmd}: ok (step ${turn})`);
    big.assistant(`Step ${turn} done.`);
  }
  big.bash(`cat src/file-${turn}.rs`, `big result ${turn}\n${BIG_RESULT}`);
  flush();
}
big.user('SCALE-BIG-LAST prompt', { queue: false });
big.assistant('SCALE-BIG-LAST reply: the end of the 200 MB transcript.');
big.lastPrompt('SCALE-BIG-LAST prompt');
flush();
closeSync(fd);
projects.push({ key: projectKey(BIG_CWD, bigDir), path: BIG_CWD, dirName: bigDir, exists: true, required: true, sessions: 1 });
const bigEntry = {
  id: bigId, dir: bigDir, key: `${bigDir}/${bigId}`, cwd: BIG_CWD, project: projectKey(BIG_CWD, bigDir), title: FIRST, listed: true, opens: true,
  big: true, bytes: written, lines, first: ['SCALE-BIG-FIRST reply'], last: ['SCALE-BIG-LAST reply'], texts: [],
};
sessions.push(bigEntry);

writeManifest(OUT, { dataset: 'scale', config: CONFIG, work: path.join(OUT, 'work'), projects, sessions, big: bigEntry.key });
console.error(`scale: ${sessions.length} sessions in ${projects.length} projects, a ${(written / 1048576).toFixed(0)} MB transcript of ${lines} lines, in ${((Date.now() - started) / 1000).toFixed(1)} s`);

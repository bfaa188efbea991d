// Writes <outdir>/manifest.json for a config dir some other program wrote (the real CLI): reads
// every <config>/projects/<dir>/<id>.jsonl (tolerantly) and records, per session, its dir, id, cwd
// (the first `cwd` of its lines, or null), the prompts and replies it holds, and whether a window
// must list it; per project, its key (`cwd:<path>` or `dir:<dirName>`), path, dir and whether the
// folder still exists.
//
//   node tests/datasets/manifest.mjs <outdir> <dataset name>
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectKey, writeManifest } from './lib.mjs';

const OUT = path.resolve(process.argv[2]);
const NAME = process.argv[3] ?? path.basename(OUT);
const CONFIG = path.join(OUT, 'config');
const PROJECTS = path.join(CONFIG, 'projects');

/** Text a person typed (not a tool result, not CLI-made markup such as <command-name>). */
function promptText(message) {
  const c = message?.content;
  if (typeof c === 'string') return c.startsWith('<') ? null : c;
  if (Array.isArray(c)) {
    const t = c.find((b) => b?.type === 'text' && typeof b.text === 'string' && !b.text.startsWith('<'));
    return t ? t.text : null;
  }
  return null;
}

function replyTexts(message) {
  const c = message?.content;
  return Array.isArray(c) ? c.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text) : [];
}

const projects = new Map();
const sessions = [];
for (const dir of readdirSync(PROJECTS).sort()) {
  const full = path.join(PROJECTS, dir);
  if (!statSync(full).isDirectory()) continue;
  for (const file of readdirSync(full).sort()) {
    if (!file.endsWith('.jsonl')) continue;
    const id = file.slice(0, -'.jsonl'.length);
    let cwd = null;
    const prompts = [];
    const replies = [];
    const types = new Set();
    for (const raw of readFileSync(path.join(full, file), 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      let line;
      try {
        line = JSON.parse(raw);
      } catch {
        continue;
      }
      types.add(line.type);
      if (cwd === null && typeof line.cwd === 'string') cwd = line.cwd;
      if (line.isSidechain || line.isMeta) continue;
      if (line.type === 'user') {
        const p = promptText(line.message);
        if (p) prompts.push(p);
      } else if (line.type === 'assistant') {
        replies.push(...replyTexts(line.message));
      }
    }
    const conversation = types.has('user') || types.has('assistant');
    const key = projectKey(cwd, dir);
    if (!projects.has(key)) {
      projects.set(key, { key, path: cwd, dirName: dir, exists: cwd ? existsSync(cwd) : false, required: cwd !== null });
    }
    // What the transcript must show: its first and last prompt and reply.
    const texts = [...new Set([prompts[0], prompts.at(-1), replies[0], replies.at(-1)].filter(Boolean))];
    sessions.push({
      id, dir, key: `${dir}/${id}`, cwd, project: key,
      listed: conversation || cwd !== null ? true : 'maybe',
      opens: true,
      lineTypes: [...types].sort(),
      prompts,
      texts,
    });
  }
}

let runs = [];
const runsFile = path.join(OUT, 'logs', 'runs.tsv');
if (existsSync(runsFile)) {
  runs = readFileSync(runsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [name, cli, cwd, sessionId, prompt, args] = l.split('\t');
    return { name, cli, cwd, sessionId, prompt, args };
  });
}

writeManifest(OUT, { dataset: NAME, config: CONFIG, work: path.join(OUT, 'work'), projects: [...projects.values()], sessions, runs });
console.error(`${NAME}: manifest of ${sessions.length} sessions in ${projects.size} projects`);

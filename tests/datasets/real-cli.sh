#!/usr/bin/env bash
# The "real-cli" data set: a Claude config dir written by the real CLI, both pinned JS builds
# (2.1.112 and 1.0.128, tests/real-cli/package.json), talking to the project's mock Messages API
# (tests/mock-api, bin mock-messages-api) on loopback, inside a network namespace that has only
# `lo` (unshare -n): nothing can leave the machine.
#
#   bash tests/datasets/real-cli.sh <outdir>
#
# Needs CCDESK_REAL_CLI_JS and CCDESK_REAL_CLI_OLD_JS (source tests/real-cli/env.sh), the mock
# (MOCK_MESSAGES_API, default target/debug/mock-messages-api), node, unshare, ip; root or user
# namespaces. Writes <outdir>/config (the CLI's CLAUDE_CONFIG_DIR), <outdir>/work (the project
# folders; one of them deleted after its session was written), <outdir>/home (the CLI's HOME),
# <outdir>/logs and <outdir>/manifest.json.
#
# Sessions: folders `my.proj_v2`, `dir with spaces`, `naïve-café`, `a-b` beside `a_b` (one project
# dir for both), a path of over 200 characters (hashed dir name), `deleted later` (removed
# afterwards); a Bash tool call, a thinking block; 1.0.128 sessions resumed with --resume (1.0.128
# appends to the session's file and leaves summary-only files, with no cwd, beside it), a 2.1.112
# session resumed (appended to its own file).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
log() { printf '[real-cli data] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

if [ "${1:-}" != --inside ]; then
  OUT=${1:?usage: real-cli.sh <outdir>}
  : "${CCDESK_REAL_CLI_JS:?source tests/real-cli/env.sh first}" "${CCDESK_REAL_CLI_OLD_JS:?source tests/real-cli/env.sh first}"
  MOCK=${MOCK_MESSAGES_API:-$ROOT/target/debug/mock-messages-api}
  [ -x "$MOCK" ] || die "no mock API at $MOCK (cargo build -p ccdesk-mock-api --bins)"
  for t in node unshare ip timeout; do command -v "$t" >/dev/null || die "$t is missing"; done
  rm -rf "$OUT"
  mkdir -p "$OUT"
  OUT=$(realpath "$OUT")
  export MOCK_MESSAGES_API=$(realpath "$MOCK")
  # Only loopback: the CLI and the mock run in a network namespace of their own.
  exec unshare -n -- bash -c 'ip link set lo up && exec bash "$0" --inside "$1"' "$0" "$OUT"
fi
OUT=$2
SECONDS=0

CONFIG=$OUT/config
WORK=$OUT/work
mkdir -p "$CONFIG" "$WORK" "$OUT/home" "$OUT/tmp" "$OUT/logs"

# ---- the mock ---------------------------------------------------------------------------------
MOCK_API_LOG=$OUT/logs/api-requests.jsonl "$MOCK_MESSAGES_API" --port 0 >"$OUT/logs/mock.out" 2>"$OUT/logs/mock.err" &
MOCK_PID=$!
trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^listening on' "$OUT/logs/mock.out" 2>/dev/null && break; sleep 0.05; done
ADDR=$(sed -n 's/^listening on //p' "$OUT/logs/mock.out")
[ -n "$ADDR" ] || die "the mock did not start (see $OUT/logs)"

# ---- the CLI's environment (as src-tauri/core/tests/common/real.rs sets it) -------------------
for v in $(compgen -e); do case "$v" in ANTHROPIC_* | CLAUDE_* | CLAUDECODE) unset "$v" ;; esac; done
export ANTHROPIC_BASE_URL="http://$ADDR" ANTHROPIC_API_KEY=sk-ant-fake
export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1
export HOME=$OUT/home CLAUDE_CONFIG_DIR=$CONFIG CLAUDE_CODE_TMPDIR=$OUT/tmp
export XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache XDG_DATA_HOME=$HOME/.local/share XDG_STATE_HOME=$HOME/.local/state

RUNS=$OUT/logs/runs.tsv
: >"$RUNS"

# cli NAME JS CWD PROMPT [ARGS...]: one `claude -p` turn (stream-json), bounded; records
# "name, cli version, cwd, session id, prompt, args" in runs.tsv.
cli() {
  local name=$1 js=$2 cwd=$3 prompt=$4
  shift 4
  local out=$OUT/logs/$name.jsonl
  (cd "$cwd" && timeout --kill-after=5 90 node "$js" -p "$prompt" --output-format stream-json --verbose --allowedTools=Bash "$@" \
    </dev/null >"$out" 2>"$OUT/logs/$name.stderr") || die "run $name failed (status $?; see $OUT/logs/$name.*)"
  local id
  id=$(grep -o '"session_id":"[^"]*"' "$out" | tail -n1 | cut -d'"' -f4)
  [ -n "$id" ] || die "run $name: no session id in its output"
  grep -q '"type":"result"' "$out" || die "run $name: no result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(basename "$(dirname "$js")")" "$cwd" "$id" "$prompt" "$*" >>"$RUNS"
  echo "$id"
}

JS=$CCDESK_REAL_CLI_JS
OLD=$CCDESK_REAL_CLI_OLD_JS
LONG=$WORK/long/$(printf 'segment-%02d-of-a-deeply-nested-monorepo-path/' $(seq 1 6))leaf
mkdir -p "$WORK/my.proj_v2" "$WORK/dir with spaces" "$WORK/naïve-café" "$WORK/a-b" "$WORK/a_b" "$LONG" "$WORK/deleted later"

# First runs, three at a time (each is a node process of its own: about 2-5 s). One per line:
# name|cli|folder|prompt (the session id goes to logs/id.<name>).
FIRST_RUNS=(
  "js-proj|$JS|$WORK/my.proj_v2|hello from 2.1.112 in my.proj_v2"
  "js-spaces|$JS|$WORK/dir with spaces|MOCK_BASH in a dir with spaces"
  "old-proj|$OLD|$WORK/my.proj_v2|hello from 1.0.128 in my.proj_v2"
  "js-cafe|$JS|$WORK/naïve-café|MOCK_THINK in naïve-café"
  "js-ab|$JS|$WORK/a-b|hello from 2.1.112 in a-b"
  "old-ab|$OLD|$WORK/a_b|hello from 1.0.128 in a_b"
  "js-long|$JS|$LONG|hello from 2.1.112 in a long path"
  "js-deleted|$JS|$WORK/deleted later|hello from a folder deleted later"
  "old-cafe|$OLD|$WORK/naïve-café|MOCK_BASH from 1.0.128 in naïve-café"
)
pids=()
for run in "${FIRST_RUNS[@]}"; do
  IFS='|' read -r name bin dir prompt <<<"$run"
  cli "$name" "$bin" "$dir" "$prompt" >"$OUT/logs/id.$name" &
  pids+=($!)
  if [ "${#pids[@]}" = 3 ]; then
    for p in "${pids[@]}"; do wait "$p" || die "a first run failed"; done
    pids=()
  fi
done
for p in "${pids[@]}"; do wait "$p" || die "a first run failed"; done

# Resumes: 1.0.128 twice (a chain), 2.1.112 once.
pids=()
(
  id=$(cli old-proj-resume1 "$OLD" "$WORK/my.proj_v2" "first resume with 1.0.128" "--resume=$(cat "$OUT/logs/id.old-proj")")
  cli old-proj-resume2 "$OLD" "$WORK/my.proj_v2" "second resume with 1.0.128" "--resume=$id" >/dev/null
) & pids+=($!)
cli old-ab-resume "$OLD" "$WORK/a_b" "resumed with 1.0.128 in a_b" "--resume=$(cat "$OUT/logs/id.old-ab")" >/dev/null & pids+=($!)
cli js-proj-resume "$JS" "$WORK/my.proj_v2" "resumed with 2.1.112" "--resume=$(cat "$OUT/logs/id.js-proj")" >/dev/null & pids+=($!)
for p in "${pids[@]}"; do wait "$p" || die "a resume failed"; done

rm -rf "$WORK/deleted later"
kill "$MOCK_PID" 2>/dev/null || true

node "$HERE/manifest.mjs" "$OUT" real-cli
log "$(wc -l <"$RUNS") CLI runs, $(find "$CONFIG/projects" -name '*.jsonl' | wc -l) transcript files, in ${SECONDS} s"

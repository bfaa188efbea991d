#!/usr/bin/env bash
# GUI benchmark of ccdesk (issue 9, part 3). Not a test, never run by CI: it prints figures (the
# median of BENCH_RUNS runs) and exits 0 whatever they are; a run takes about 3-6 minutes.
#
#   bash tests/bench/gui.sh                       # prints the table on stdout, progress on stderr
#   bash tests/bench/gui.sh | tee tests/bench/last-run.txt
#
# What it measures, for the app (target/debug/ccdesk, the debug build the e2e suite uses, or
# CCDESK_APP, e.g. target/release/ccdesk, the build the README's figures are of; driven
# through tauri-driver + WebKitWebDriver on a private Xvfb display with a private session bus):
#   1. launch to list: from the WebDriver new-session request until the (virtual) project list
#      holds every project and its first rows and a session item of the first project are
#      painted; a config dir of one session vs the `scale` data set (tests/datasets: 10,000 sessions in 500 projects + a 200 MB transcript). Goal: the
#      difference <= +0.3 s.
#   2. memory: PSS (sum of Pss: of /proc/<pid>/smaps_rollup) of ccdesk and all its descendants
#      (WebKitWebProcess, WebKitNetworkProcess, ...) once the list is shown; 10,000 sessions vs
#      one. Goal: <= +40 MB.
#   3. the 200 MB transcript: click -> first transcript item in the ready transcript (goal
#      <= 300 ms), click -> its latest entry on screen (<= 500 ms), "Jump to start" -> its first
#      entry, "Jump to end" -> its latest again; timed inside the page (performance.now() with a
#      MutationObserver and animation frames, set up by executeAsyncScript before the click), so
#      WebDriver's latency is not in the figures. PSS growth from before the click (goal <= 150 MB).
#   4. `ccdesk show <200 MB session> --json > /dev/null`: wall time and max RSS (/usr/bin/time -v,
#      else VmHWM read from /proc while it runs). v0.1: 1.9 s, 450 MB.
#
# Needs what tests/e2e/run.sh needs (Xvfb, WebKitWebDriver, tauri-driver, node >= 20, the npm
# packages of tests/e2e) and a built app; it builds nothing.
# Knobs (all optional):
#   CCDESK_APP=path          the app binary (default target/debug/ccdesk)
#   BENCH_RUNS=n             runs per figure (default 3)
#   BENCH_WARMUP=0           skip the uncounted first launch (it warms the page cache) and the
#                            `ccdesk search` that makes the index cache and search index first
#   BENCH_SETTLE_MS=ms       wait after the list shows before reading PSS (default 2000)
#   BENCH_DATASETS_DIR=dir   reuse data sets (dir/scale, dir/one) made by an earlier run instead
#                            of making them in the temp dir (scale: about 10 s and 280 MB)
#   BENCH_KEEP_TMP=1         keep the temp dir (logs) and print where it is
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
E2E=$ROOT/tests/e2e
export PATH="${HOME:+$HOME/.cargo/bin:}$PATH"

APP=${CCDESK_APP:-$ROOT/target/debug/ccdesk}
FAKE=${CCDESK_FAKE_CLAUDE:-$ROOT/target/debug/fake-claude}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ -x "$APP" ] || die "no app binary at $APP (see tests/e2e/run.sh for how to build it)"
for tool in Xvfb WebKitWebDriver tauri-driver node setsid timeout; do
  command -v "$tool" >/dev/null || die "$tool is not installed (tests/bootstrap.sh test installs it)"
done
[ -d "$E2E/node_modules/selenium-webdriver" ] || (cd "$E2E" && timeout 300 npm ci --no-audit --no-fund --loglevel=error </dev/null)
APP=$(realpath "$APP")

# ---- everything started below is stopped on exit (as in tests/e2e/run.sh) -------------------------
TMP=$(realpath "$(mktemp -d -t ccdesk-bench.XXXXXX)")
PGIDS=()
# shellcheck source=tests/e2e/gui-env.sh
. "$E2E/gui-env.sh"
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_groups
  if [ "${BENCH_KEEP_TMP:-}" = 1 ] || [ "$status" != 0 ]; then
    rm -rf "$TMP/datasets/scale"
    log "temp dir kept: $TMP (logs: $TMP/logs)"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$TMP/logs" "$TMP/xdg/data" "$TMP/xdg/config" "$TMP/xdg/cache" "$TMP/xdg/runtime" "$TMP/home"
chmod 700 "$TMP/xdg/runtime"

# ---- data: the scale set, and a config dir of one small session copied from it -------------------------
DATASETS=${BENCH_DATASETS_DIR:-$TMP/datasets}
if [ ! -f "$DATASETS/scale/manifest.json" ]; then
  log "making the scale data set in $DATASETS/scale"
  timeout 300 bash "$ROOT/tests/datasets/make.sh" scale "$DATASETS/scale" >"$TMP/logs/dataset-scale.log" 2>&1 </dev/null ||
    { tail -n 20 "$TMP/logs/dataset-scale.log" >&2; die "making the scale data set failed"; }
fi
if [ ! -f "$DATASETS/one/manifest.json" ]; then
  log "making the one-session config dir in $DATASETS/one"
  node --input-type=module - "$DATASETS/scale" "$DATASETS/one" <<'EOF'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [scale, one] = process.argv.slice(2);
const m = JSON.parse(readFileSync(path.join(scale, 'manifest.json'), 'utf8'));
const s = m.sessions.find((x) => !x.big);
const p = m.projects.find((x) => x.key === s.project);
const config = path.join(one, 'config');
rmSync(one, { recursive: true, force: true });
mkdirSync(path.join(config, 'projects', s.dir), { recursive: true });
copyFileSync(path.join(m.config, 'projects', s.dir, `${s.id}.jsonl`), path.join(config, 'projects', s.dir, `${s.id}.jsonl`));
writeFileSync(path.join(one, 'manifest.json'), JSON.stringify({ dataset: 'one', config, work: m.work, projects: [p], sessions: [s] }, null, 1));
EOF
fi

# tauri-driver passes no environment to the app: a wrapper per config dir sets it.
for ds in one scale; do
  cat >"$TMP/ccdesk-on-$ds" <<EOF
#!/bin/sh
export CLAUDE_CONFIG_DIR='$DATASETS/$ds/config'
exec '$APP' "\$@"
EOF
  chmod +x "$TMP/ccdesk-on-$ds"
done

# ---- display, session bus, tauri-driver (tests/e2e/gui-env.sh, as the e2e suite) -----------------------
start_display_and_bus
free_port_pair "${BENCH_PORT:-4544}" 4700
[ -x "$FAKE" ] && export CCDESK_CLAUDE=$FAKE # the app looks for `claude` at start, as in the e2e suite
start_driver
log "Xvfb on $DISPLAY, tauri-driver on 127.0.0.1:$PORT, data in $DATASETS"

# ---- the benchmark ------------------------------------------------------------------------------------------
export E2E_WEBDRIVER_URL="http://127.0.0.1:$PORT/"
export E2E_APP=$APP
export E2E_DATA_HOME=$XDG_DATA_HOME
export BENCH_DRIVER_PID=$DRIVER_PID
export BENCH_APP_BASE=$TMP/ccdesk-on-one BENCH_APP_SCALE=$TMP/ccdesk-on-scale
export BENCH_BASE_DIR=$DATASETS/one BENCH_SCALE_DIR=$DATASETS/scale BENCH_TMP=$TMP
BENCH_COMMIT=$(git -C "$ROOT" log -1 --format='%h %cd' --date=format:'%Y-%m-%d %H:%M' 2>/dev/null || echo '?')
[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && BENCH_COMMIT="$BENCH_COMMIT (+ uncommitted changes)"
BENCH_WEBKIT=$(dpkg-query -W -f='${Package} ${Version}' 'libwebkit2gtk-4.1-0' 2>/dev/null || echo '?')
export BENCH_COMMIT BENCH_WEBKIT
(exec timeout --kill-after=10 900 node "$HERE/gui.mjs" </dev/null) &
NODE_PID=$!
PGIDS+=("$NODE_PID")
status=0
wait "$NODE_PID" || status=$?
[ "$status" = 0 ] || { log "the benchmark failed (status $status); tauri-driver log tail:"; tail -n 30 "$TMP/logs/tauri-driver.log" >&2 || true; }
exit "$status"

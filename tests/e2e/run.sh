#!/usr/bin/env bash
# GUI end-to-end suite of ccdesk: the real app (target/debug/ccdesk) driven through tauri-driver
# and WebKitWebDriver on a private Xvfb display, against a temp Claude Code config dir and the
# fake `claude` CLI (target/debug/fake-claude).
#
#   bash tests/e2e/run.sh            runs every test; exits with the suite's status
#
# Needs: target/debug/ccdesk (built after `npm --prefix ui run build`), target/debug/fake-claude,
# Xvfb, WebKitWebDriver, tauri-driver, node >= 20. Works headless, as root, with no stdin (CI).
# Environment knobs (all optional):
#   CCDESK_APP=path           the app binary (default target/debug/ccdesk)
#   CCDESK_FAKE_CLAUDE=path   the fake CLI (default target/debug/fake-claude)
#   E2E_KEEP_TMP=1            keep the temp dir (config dir, logs) and print where it is
#   E2E_TEST_TIMEOUT=secs     hard limit for the whole node run (default 600)
#   E2E_SPECS="specs/x.test.js"  run only these spec files (paths relative to tests/e2e)
#   E2E_DATASETS_DIR=dir      reuse data sets made earlier (dir/<name>/manifest.json) instead of
#                             making them (tests/datasets/make.sh <name> dir/<name>)
#   MOCK_MESSAGES_API=path    the mock API the real-cli data set is made with
#                             (default target/debug/mock-messages-api, built when missing)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export PATH="${HOME:+$HOME/.cargo/bin:}$PATH"

APP=${CCDESK_APP:-$ROOT/target/debug/ccdesk}
FAKE=${CCDESK_FAKE_CLAUDE:-$ROOT/target/debug/fake-claude}
FIXTURES=$ROOT/tests/fixtures/samples

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---- preconditions ---------------------------------------------------------------------------
[ -x "$APP" ] || die "no app binary at $APP (build it: npm --prefix ui ci && npm --prefix ui run build && cargo build -p ccdesk)"
[ -x "$FAKE" ] || die "no fake CLI at $FAKE (build it: cargo build -p ccdesk-fake-claude)"
for tool in Xvfb WebKitWebDriver tauri-driver node npm setsid timeout; do
  command -v "$tool" >/dev/null || die "$tool is not installed (tests/bootstrap.sh test installs it)"
done
APP=$(realpath "$APP")
FAKE=$(realpath "$FAKE")

# ---- 1. npm packages -------------------------------------------------------------------------
# node_modules/.package-lock.json is npm's record of what it installed: reinstall when missing or older.
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  log "npm ci"
  (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --loglevel=error </dev/null)
fi

# ---- everything started below is stopped on exit ---------------------------------------------
TMP=$(realpath "$(mktemp -d -t ccdesk-e2e.XXXXXX)")
PGIDS=()
# shellcheck source=tests/e2e/gui-env.sh
. "$HERE/gui-env.sh"
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_groups
  if [ "${E2E_KEEP_TMP:-}" = 1 ] || [ "$status" != 0 ]; then
    # The scale data set (about 280 MB) is made again by the next run: not kept unless asked for.
    [ "${E2E_KEEP_TMP:-}" = 1 ] || rm -rf "$TMP/datasets/scale"
    log "temp dir kept: $TMP (logs: $TMP/logs)"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$TMP/logs" "$TMP/config/projects" "$TMP/xdg/data" "$TMP/xdg/config" "$TMP/xdg/cache" "$TMP/xdg/runtime" "$TMP/home"
chmod 700 "$TMP/xdg/runtime"

# ---- 2. fixture config dir -------------------------------------------------------------------
# Genuine CLI transcripts whose project dir (/home/dev/proj) does not exist here ...
cp -R "$FIXTURES/local-cli-2.1.112/projects/." "$TMP/config/projects/"
cp -R "$FIXTURES/local-cli-2.1.330/projects/." "$TMP/config/projects/"
# ... and one resumable session in a real dir (with a space in its name), made by the fake CLI.
DEMO="$TMP/work/demo project"
mkdir -p "$DEMO"
SEED_OUT=$TMP/logs/seed.jsonl
(cd "$DEMO" && printf '{"type":"user","message":{"role":"user","content":"seed prompt"}}\n' |
  CLAUDE_CONFIG_DIR=$TMP/config timeout 30 "$FAKE" -p --output-format stream-json --verbose --input-format stream-json \
  >"$SEED_OUT" 2>"$TMP/logs/seed.stderr") || die "the fake CLI failed to make the seed session (see $TMP/logs)"
SEED_ID=$(grep -o '"session_id":"[^"]*"' "$SEED_OUT" | head -n1 | cut -d'"' -f4)
[ -n "$SEED_ID" ] || die "no session id in the fake CLI's output ($SEED_OUT)"
[ -n "$(find "$TMP/config/projects" -name "$SEED_ID.jsonl")" ] || die "the seed transcript $SEED_ID.jsonl was not written"
log "seed session $SEED_ID in $DEMO"

# ---- a launcher for the same app with no claude anywhere (test of the missing-CLI message) ----
# tauri-driver can pass arguments to the app but no environment, so a wrapper sets it.
mkdir -p "$TMP/empty-path" "$TMP/home-no-claude"
NO_CLAUDE_APP=$TMP/ccdesk-without-claude
cat >"$NO_CLAUDE_APP" <<EOF
#!/bin/sh
export CCDESK_CLAUDE='$TMP/no-such-dir/claude'
export PATH='$TMP/empty-path'
export HOME='$TMP/home-no-claude'
exec '$APP' "\$@"
EOF
chmod +x "$NO_CLAUDE_APP"

# ---- generated histories (tests/datasets) for the specs/history-*.test.js that will run -----------
# Made once per run, in the background while the display and the driver start. Each gets a
# launcher like $NO_CLAUDE_APP that points CLAUDE_CONFIG_DIR at its config dir.
SPEC_FILES=$(cd "$HERE" && echo ${E2E_SPECS:-specs/*.test.js})
DATASETS=${E2E_DATASETS_DIR:-$TMP/datasets}
DATASET_PIDS=()
DATASET_NAMES=()
for ds in real-cli hostile scale; do
  case " $SPEC_FILES " in *"history-$ds.test.js"*) ;; *) continue ;; esac
  DATASET_NAMES+=("$ds")
  [ -f "$DATASETS/$ds/manifest.json" ] && [ -n "${E2E_DATASETS_DIR:-}" ] && continue
  if [ "$ds" = real-cli ]; then
    MOCK_MESSAGES_API=${MOCK_MESSAGES_API:-$ROOT/target/debug/mock-messages-api}
    if [ ! -x "$MOCK_MESSAGES_API" ]; then
      log "building the mock API (cargo build -p ccdesk-mock-api --bin mock-messages-api)"
      (cd "$ROOT" && cargo build -q -p ccdesk-mock-api --bin mock-messages-api) || die "could not build the mock API"
    fi
    export MOCK_MESSAGES_API
  fi
  log "making the $ds data set"
  (exec timeout --kill-after=10 300 bash "$ROOT/tests/datasets/make.sh" "$ds" "$DATASETS/$ds" >"$TMP/logs/dataset-$ds.log" 2>&1 </dev/null) &
  DATASET_PIDS+=("$!:$ds")
  PGIDS+=("$!")
done
for ds in "${DATASET_NAMES[@]}"; do
  var=$(echo "$ds" | tr a-z- A-Z_)
  launcher=$TMP/ccdesk-on-$ds
  cat >"$launcher" <<EOF
#!/bin/sh
export CLAUDE_CONFIG_DIR='$DATASETS/$ds/config'
exec '$APP' "\$@"
EOF
  chmod +x "$launcher"
  export "E2E_DATASET_$var=$DATASETS/$ds" "E2E_APP_$var=$launcher"
done

# ---- 3. display, session bus, tauri-driver (gui-env.sh) ------------------------------------------
start_display_and_bus
log "Xvfb on $DISPLAY"
# Two free loopback ports: tauri-driver's and WebKitWebDriver's (default 4444/4445).
free_port_pair "${E2E_PORT:-4444}" 4600
# The app inherits tauri-driver's environment (through WebKitWebDriver).
export CLAUDE_CONFIG_DIR=$TMP/config
export CCDESK_CLAUDE=$FAKE
export CCDESK_LOG=${CCDESK_LOG:-ccdesk=debug,ccdesk_core=debug}
start_driver
log "tauri-driver on 127.0.0.1:$PORT"

for entry in "${DATASET_PIDS[@]}"; do
  wait "${entry%%:*}" || { tail -n 30 "$TMP/logs/dataset-${entry#*:}.log" >&2; die "making the ${entry#*:} data set failed (see $TMP/logs/dataset-${entry#*:}.log)"; }
  log "$(tail -n 1 "$TMP/logs/dataset-${entry#*:}.log")"
done

# ---- 4. the suite --------------------------------------------------------------------------------
export E2E_WEBDRIVER_URL="http://127.0.0.1:$PORT/"
export E2E_APP=$APP
export E2E_APP_NO_CLAUDE=$NO_CLAUDE_APP
export E2E_FAKE_CLAUDE=$FAKE
export E2E_CONFIG_DIR=$TMP/config
export E2E_DATA_HOME=$XDG_DATA_HOME
export E2E_APP_HOME=$TMP/home
export E2E_DEMO_DIR=$DEMO
export E2E_SEED_ID=$SEED_ID
export E2E_FIXTURES=$FIXTURES
export E2E_SCREENSHOTS=${E2E_SCREENSHOTS:-$HERE/screenshots}
export E2E_FAILURE_SHOTS=$ROOT/tests/e2e/screenshots-tmp
# In the background, and waited for, so that a signal to this script runs the cleanup at once
# (bash runs traps only between foreground commands; `wait` is interrupted by them).
(cd "$HERE" && exec timeout --kill-after=10 "${E2E_TEST_TIMEOUT:-600}" \
  node --test --test-concurrency=1 --test-reporter=spec $SPEC_FILES </dev/null) &
SUITE_PID=$!
PGIDS+=("$SUITE_PID")
status=0
wait "$SUITE_PID" || status=$?
if [ "$status" != 0 ]; then
  log "suite failed (status $status); tauri-driver log tail:"
  tail -n 40 "$TMP/logs/tauri-driver.log" >&2 || true
fi
exit "$status"

#!/usr/bin/env bash
# ccdesk's one entry point for a fresh Debian/Ubuntu machine (run as root, or with sudo available).
#
#   bash tests/bootstrap.sh app    installs what is missing, builds ccdesk and launches it
#   bash tests/bootstrap.sh test   installs what is missing and runs every test
#
# Installs: the Linux build libraries of Tauri 2 (apt), the test tools (Xvfb, WebKitWebDriver,
# tauri-driver), the UI's npm packages, the pinned real `claude` CLI builds for the real-CLI suite,
# the pinned Tauri CLI (npm, tests/packaging) and rpm, desktop-file-utils and x11-utils for the
# installer checks.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mode=${1:-test}

log() { printf '\n==> %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

APT_BUILD=(build-essential pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev
  librsvg2-dev libsoup-3.0-dev libxdo-dev libssl-dev curl file)
APT_TEST=(xvfb xauth dbus-x11 webkit2gtk-driver iproute2 util-linux rpm desktop-file-utils x11-utils)

install_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v node >/dev/null || missing+=(nodejs npm)
  command -v cargo >/dev/null || missing+=(cargo rustc)
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

export PATH="$HOME/.cargo/bin:$PATH"

build_ui() {
  log "ui: npm ci + build"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
}

case "$mode" in
  app)
    install_apt "${APT_BUILD[@]}"
    build_ui
    log "building ccdesk"
    cargo build -p ccdesk
    log "launching ccdesk"
    exec "$ROOT/target/debug/ccdesk"
    ;;
  test)
    # One build from scratch: incremental compilation would only add its caches (1.3 GB of the
    # 5.3 GB this run used on disk) and time.
    export CARGO_INCREMENTAL=0
    log "disk: $(df -h . | tail -1)"
    install_apt "${APT_BUILD[@]}" "${APT_TEST[@]}"
    if ! command -v tauri-driver >/dev/null; then
      log "installing tauri-driver"
      cargo install tauri-driver --locked
    fi
    build_ui
    log "ui: type check and unit tests"
    (cd ui && npm run check && npm test)

    log "real claude CLI builds (npm, pinned)"
    # shellcheck source=tests/real-cli/env.sh
    . tests/real-cli/env.sh

    log "rust: format, lints, build"
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo build --workspace --bins
    cargo test --workspace --no-run

    log "packaging: .deb and .rpm of the debug build, checked, installed, started and removed"
    bash tests/packaging/check.sh

    log "rust: every test, inside a network namespace with only loopback"
    unshare -n -- sh -c 'ip link set lo up && exec cargo test --workspace --offline'

    log "GUI end to end (Xvfb + tauri-driver + WebKitWebDriver)"
    bash tests/e2e/run.sh
    log "disk: $(df -h . | tail -1); target: $(du -sh target 2>/dev/null | cut -f1)"
    log "all tests passed"
    ;;
  *)
    echo "usage: bash tests/bootstrap.sh app|test" >&2
    exit 2
    ;;
esac

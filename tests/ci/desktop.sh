#!/usr/bin/env bash
# ccdesk on macOS or Windows (Git Bash): what the GitHub Actions matrix runs there, step by step,
# and what a contributor on those systems runs by hand from the repository root:
#
#   bash tests/ci/desktop.sh [ui|build|lint|test|bundle|all]   (default: all)
#
# Needs Rust (rustup, the version in Cargo.toml's rust-version or newer), Node.js 20 and npm.
# Linux runs everything through `bash .ci/run` instead (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/../.."

os=$(uname -s)
case "$os" in
  Darwin) bundles=app,dmg ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) bundles=msi,nsis ;;
  *) bundles=deb,rpm ;;
esac

step() { printf '\n==> %s\n' "$*"; }

ui() {
  step "ui: npm ci, build, type check, unit tests"
  (cd ui && npm ci && npm run build && npm run check && npm test)
}

build() {
  step "rust: build the workspace (the app, ccdesk-cli, the fake claude)"
  cargo build --workspace --locked
}

lint() {
  step "rust: clippy (the per-OS paths: Job Objects, the process table, no console windows)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
}

test_() {
  step "rust: core tests (process control, discovery, pool and runner on the fake claude, index, search)"
  cargo test -p ccdesk-core --locked --lib --test pool --test runner --test index --test index_cache --test search
  step "rust: headless commands"
  cargo test -p ccdesk-cli --locked
  # Skipped here, with the reason:
  echo "skipped: the real-CLI suites (core/tests/real_cli*.rs, tests/real-cli): they run the pinned npm CLI"
  echo "  against the mock API inside a network namespace (unshare -n), which only Linux has."
  echo "skipped: the GUI suite (tests/e2e): WebKitWebDriver (tauri-driver) exists on Linux only."
  echo "skipped: src-tauri/tests/orphans.rs: it reads /proc (Linux); the Job Object path is covered"
  echo "  by claude::control's unit test and the pool tests above."
}

bundle() {
  step "installers ($bundles)"
  # The packaging lock names the Tauri CLI's Linux package only (tests/packaging/README.md):
  # resolve the pinned version afresh for this system.
  npm --prefix tests/packaging install --no-package-lock
  (cd src-tauri && ../tests/packaging/node_modules/.bin/tauri build --bundles "$bundles")
}

case "${1:-all}" in
  ui) ui ;;
  build) build ;;
  lint) lint ;;
  test) test_ ;;
  bundle) bundle ;;
  all) ui; build; lint; test_; bundle ;;
  *) echo "usage: $0 [ui|build|lint|test|bundle|all]" >&2; exit 2 ;;
esac

# Shared by icons.sh and check.sh (sourced, not run): paths and the pinned Tauri CLI.
# shellcheck shell=bash

PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$PKG_DIR/../.." && pwd)
TAURI="$PKG_DIR/node_modules/.bin/tauri"

log() { printf '\n==> %s\n' "$*"; }
fail() {
  printf '\npackaging: FAIL: %s\n' "$*" >&2
  exit 1
}

# The pinned @tauri-apps/cli from package-lock.json (npm ci), unless that exact version is there.
ensure_tauri_cli() {
  local want have=""
  want=$(sed -n 's/.*"@tauri-apps\/cli": *"\([^"]*\)".*/\1/p' "$PKG_DIR/package.json" | head -n1)
  [ -n "$want" ] || fail "no @tauri-apps/cli version in $PKG_DIR/package.json"
  if [ -x "$TAURI" ]; then have=$("$TAURI" --version 2>/dev/null | awk '{print $2}'); fi
  if [ "$have" != "$want" ]; then
    log "packaging: npm ci (@tauri-apps/cli $want)"
    # The lock holds only the platform packages the registry it was made with serves (Linux);
    # a newer npm refuses `npm ci` over the other platforms' missing optional packages. Then the
    # exact version of package.json is installed without the lock (its own platform package is
    # pinned by the CLI's optionalDependencies).
    if ! (cd "$PKG_DIR" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null); then
      log "packaging: npm ci refused the lock; npm install of the pinned version instead"
      (cd "$PKG_DIR" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
    fi
    have=$("$TAURI" --version 2>/dev/null | awk '{print $2}')
    [ "$have" = "$want" ] || fail "tauri CLI is '$have' after npm ci, expected $want"
  fi
}

# Every icon path listed in tauri.conf.json's bundle.icon, relative to the repo root.
bundle_icons() {
  node -e '
    const c = require(process.argv[1]);
    for (const p of (c.bundle && c.bundle.icon) || []) console.log(require("path").join("src-tauri", p));
  ' "$ROOT/src-tauri/tauri.conf.json"
}

# Big-endian u32 at byte offset $2 of file $1; a PNG's size from its IHDR, as WxH.
u32be() { od -An -tu1 -j"$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }
png_size() { echo "$(u32be "$1" 16)x$(u32be "$1" 20)"; }

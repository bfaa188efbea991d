#!/usr/bin/env bash
# ccdesk's Linux packages, checked end to end from an already built debug binary:
#
#   bash tests/packaging/check.sh
#
#  1. the icon set is the committed output of icons/source.svg, and bundle.icon lists it (icons.sh --check)
#  2. `tauri bundle --debug --bundles deb,rpm` (the pinned npm CLI) packages target/debug/ccdesk
#     as it is: nothing is recompiled; the AppImage is never built (its bundler downloads tools)
#  3. the .deb's control fields, files (binary, desktop entry, hicolor icons at their sizes) and
#     desktop entry (Exec with a file argument, MimeType=inode/directory, ...), without installing
#  4. the .rpm: present; with `rpm` on the machine, its files and requirements
#  5. `dpkg -i` of the .deb: the entry, the icons and /usr/bin/ccdesk are in place; the installed
#     binary runs `ccdesk list` headless against an empty config dir; with Xvfb and dbus-daemon,
#     the GUI, launched the way the desktop entry does on a folder, starts and stays up
#  6. `dpkg --purge`: the machine is left as found (also when a step fails)
#
# Needs: target/debug/ccdesk (npm --prefix ui run build && cargo build -p ccdesk), node and npm,
# dpkg; root or sudo. Optional: rpm, desktop-file-validate, Xvfb + dbus-daemon (+ xwininfo).
# Knobs: CCDESK_APP=path (default target/debug/ccdesk), PACKAGING_KEEP_TMP=1 (keep the temp dir).
set -euo pipefail
# shellcheck source=tests/packaging/lib.sh
. "$(dirname "$0")/lib.sh"
export PATH="${HOME:+$HOME/.cargo/bin:}$PATH"
started=$SECONDS

APP=${CCDESK_APP:-$ROOT/target/debug/ccdesk}
CONF=$ROOT/src-tauri/tauri.conf.json
LINUX_SIZES=(16 24 32 48 64 128 256 512)

# ---- preconditions ---------------------------------------------------------------------------
[ -x "$APP" ] || fail "no app binary at $APP (build it: npm --prefix ui run build && cargo build -p ccdesk)"
APP=$(realpath "$APP")
for tool in node npm dpkg dpkg-deb od cmp timeout setsid; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || fail "installing the .deb needs root or sudo"
  SUDO=sudo
fi
conf() { node -e 'const c=require(process.argv[1]); const v=process.argv[2].split(".").reduce((o,k)=>o&&o[k],c); console.log(v===undefined?"":v)' "$CONF" "$1"; }
NAME=$(conf productName)
VERSION=$(conf version)
[ -n "$NAME" ] && [ -n "$VERSION" ] || fail "no productName/version in $CONF"
BIN=ccdesk # the main binary's name (Cargo [[bin]]), also the desktop entry's Icon and Exec
if dpkg-query -W -f='${Status}' "$NAME" 2>/dev/null | grep -q 'installed'; then
  fail "a '$NAME' package is already installed here; this check installs and removes its own, so remove that one first (dpkg --purge $NAME)"
fi
[ ! -e "/usr/bin/$BIN" ] || fail "/usr/bin/$BIN exists and belongs to no '$NAME' package; refusing to overwrite it"

# ---- everything below is undone on exit ----------------------------------------------------------
TMP=$(realpath "$(mktemp -d -t ccdesk-packaging.XXXXXX)")
PGIDS=()
INSTALLED=0
stop_groups() {
  local g i alive
  for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for i in $(seq 1 30); do
    alive=0
    for g in "${PGIDS[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  PGIDS=()
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_groups
  if [ "$INSTALLED" = 1 ]; then
    echo "packaging: removing the $NAME package installed by this check" >&2
    $SUDO dpkg --purge "$NAME" >/dev/null 2>&1 || echo "packaging: WARNING: dpkg --purge $NAME failed; remove it by hand" >&2
  fi
  # A desktop portal the app may have woken can leave a FUSE mount in the temp HOME.
  local m
  for m in $(grep -o " $TMP/[^ ]*" /proc/mounts 2>/dev/null || true); do
    umount -l "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
  done
  if [ "${PACKAGING_KEEP_TMP:-}" = 1 ] || [ "$status" != 0 ]; then
    echo "packaging: temp dir kept: $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

problems=()
want() { problems+=("$*"); }
report() { # report STEP: fail with every problem collected so far, if any
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "$1"
  fi
}

# ---- 1. icons ------------------------------------------------------------------------------------
ensure_tauri_cli
bash "$PKG_DIR/icons.sh" --check

# ---- 2. bundle ---------------------------------------------------------------------------------
log "packaging: tauri bundle --debug --bundles deb,rpm (from $(realpath --relative-to="$ROOT" "$APP"))"
BUNDLE_DIR=$(dirname "$APP")/bundle
rm -rf "$BUNDLE_DIR/deb" "$BUNDLE_DIR/rpm"
sum_before=$(sha256sum "$APP" | cut -d' ' -f1)
t0=$SECONDS
# --no-binary-patching: target/debug/ccdesk is shared with the other suites; leave its bytes alone.
if ! (cd "$ROOT/src-tauri" && "$TAURI" bundle --debug --bundles deb,rpm --ci --no-binary-patching) \
  >"$TMP/bundle.log" 2>&1 </dev/null; then
  cat "$TMP/bundle.log" >&2
  fail "tauri bundle failed (log above)"
fi
bundle_secs=$((SECONDS - t0))
grep -qi 'compiling' "$TMP/bundle.log" && { cat "$TMP/bundle.log" >&2; fail "tauri bundle recompiled the app; it should only package $APP"; }
[ "$(sha256sum "$APP" | cut -d' ' -f1)" = "$sum_before" ] || fail "tauri bundle modified $APP"
shopt -s nullglob
debs=("$BUNDLE_DIR"/deb/*.deb)
rpms=("$BUNDLE_DIR"/rpm/*.rpm)
shopt -u nullglob
[ ${#debs[@]} = 1 ] || { cat "$TMP/bundle.log" >&2; fail "expected one .deb in $BUNDLE_DIR/deb, found ${#debs[@]}"; }
[ ${#rpms[@]} = 1 ] || { cat "$TMP/bundle.log" >&2; fail "expected one .rpm in $BUNDLE_DIR/rpm, found ${#rpms[@]}"; }
DEB=${debs[0]}
RPM=${rpms[0]}
echo "bundled in ${bundle_secs}s: $(realpath --relative-to="$ROOT" "$DEB"), $(realpath --relative-to="$ROOT" "$RPM")"

# ---- 3. the .deb, unopened and unpacked ------------------------------------------------------------
log "packaging: .deb contents (dpkg-deb -I/-c)"
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = "$NAME" ] || want "Package is '$(field Package)', expected $NAME"
[ "$(field Version)" = "$VERSION" ] || want "Version is '$(field Version)', expected $VERSION"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || want "Architecture is '$(field Architecture)'"
depends=$(field Depends)
for d in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  [[ ", $depends," == *", $d"[,\ ]* ]] || want "Depends ('$depends') lacks $d"
done
[ -n "$(field Description)" ] || want "no Description"
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's#^\./##; s#^/*#/#; s#/$##' >"$TMP/deb-files"
has_file() { grep -qx "$1" "$TMP/deb-files"; }
for f in "/usr/bin/$BIN" "/usr/share/applications/$NAME.desktop"; do
  has_file "$f" || want "the .deb has no $f"
done
for s in "${LINUX_SIZES[@]}"; do
  has_file "/usr/share/icons/hicolor/${s}x${s}/apps/$BIN.png" || want "the .deb has no ${s}x${s} hicolor icon"
done

mkdir -p "$TMP/deb"
dpkg-deb -x "$DEB" "$TMP/deb"
cmp -s "$TMP/deb/usr/bin/$BIN" "$APP" || want "the packaged /usr/bin/$BIN is not byte-for-byte $APP"
for s in "${LINUX_SIZES[@]}"; do
  f=$TMP/deb/usr/share/icons/hicolor/${s}x${s}/apps/$BIN.png
  [ -f "$f" ] && { [ "$(png_size "$f")" = "${s}x${s}" ] || want "hicolor/${s}x${s}/apps/$BIN.png is $(png_size "$f")"; }
done

# check_entry FILE: the desktop entry makes ccdesk an "Open with" choice for folders.
check_entry() {
  local f=$1 key
  [ -f "$f" ] || { want "no desktop entry at $f"; return; }
  entry() { sed -n "s/^$1=//p" "$f" | head -n1; }
  [ "$(head -n1 "$f")" = "[Desktop Entry]" ] || want "$f does not start with [Desktop Entry]"
  [ "$(entry Type)" = Application ] || want "$f: Type is '$(entry Type)'"
  [ "$(entry Name)" = "$NAME" ] || want "$f: Name is '$(entry Name)'"
  [[ "$(entry Exec)" =~ ^$BIN\ %[fF]$ ]] || want "$f: Exec is '$(entry Exec)', expected '$BIN %f' (or %F)"
  [ "$(entry Icon)" = "$BIN" ] || want "$f: Icon is '$(entry Icon)', expected $BIN"
  [[ ";$(entry MimeType)" == *";inode/directory;"* ]] || want "$f: MimeType ('$(entry MimeType)') lacks inode/directory;"
  [[ ";$(entry Categories)" == *";Development;"* ]] || want "$f: Categories ('$(entry Categories)') lacks Development;"
  [ "$(entry StartupWMClass)" = "$BIN" ] || want "$f: StartupWMClass is '$(entry StartupWMClass)', expected $BIN"
  [ "$(entry Terminal)" = false ] || want "$f: Terminal is '$(entry Terminal)'"
  for key in '{{' '}}'; do ! grep -qF "$key" "$f" || want "$f holds an unexpanded template ($key)"; done
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$f" >"$TMP/validate.log" 2>&1 || want "desktop-file-validate $f: $(tr '\n' ' ' <"$TMP/validate.log")"
  fi
}
check_entry "$TMP/deb/usr/share/applications/$NAME.desktop"
report "the .deb ($DEB) is not right"
echo "desktop entry /usr/share/applications/$NAME.desktop:"
sed 's/^/    /' "$TMP/deb/usr/share/applications/$NAME.desktop"
echo "deb: control fields, binary (identical to $(realpath --relative-to="$ROOT" "$APP")), desktop entry, icons ${LINUX_SIZES[*]} px"

# ---- 4. the .rpm ---------------------------------------------------------------------------------
log "packaging: .rpm"
if command -v rpm >/dev/null; then
  rpm -qp --qf '%{NAME} %{VERSION}\n' "$RPM" >"$TMP/rpm-nv" 2>"$TMP/rpm.err" || { cat "$TMP/rpm.err" >&2; fail "rpm cannot read $RPM"; }
  [ "$(cat "$TMP/rpm-nv")" = "$NAME $VERSION" ] || want "the .rpm is '$(cat "$TMP/rpm-nv")', expected '$NAME $VERSION'"
  rpm -qpl "$RPM" 2>/dev/null >"$TMP/rpm-files"
  for f in "/usr/bin/$BIN" "/usr/share/applications/$NAME.desktop"; do
    grep -qx "$f" "$TMP/rpm-files" || want "the .rpm has no $f"
  done
  for s in "${LINUX_SIZES[@]}"; do
    grep -qx "/usr/share/icons/hicolor/${s}x${s}/apps/$BIN.png" "$TMP/rpm-files" || want "the .rpm has no ${s}x${s} hicolor icon"
  done
  rpm -qpR "$RPM" 2>/dev/null >"$TMP/rpm-requires"
  for r in libwebkit2gtk-4.1.so.0 libgtk-3.so.0 libayatana-appindicator3.so.1; do
    grep -q "^$r" "$TMP/rpm-requires" || want "the .rpm does not require $r"
  done
  report "the .rpm ($RPM) is not right"
  echo "rpm: name and version, binary, desktop entry, icons ${LINUX_SIZES[*]} px, requirements"
else
  [ -s "$RPM" ] || fail "$RPM is empty"
  echo "rpm: $RPM exists ($(stat -c %s "$RPM") bytes); rpm is not installed, its contents are not listed"
fi

# ---- 5. installed --------------------------------------------------------------------------------
log "packaging: dpkg -i $(basename "$DEB")"
INSTALLED=1
$SUDO dpkg -i "$DEB" >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg -i $DEB failed (missing dependencies? log above)"; }
dpkg-query -W -f='${Status}' "$NAME" | grep -q 'install ok installed' || fail "dpkg does not list $NAME as installed"
ENTRY=/usr/share/applications/$NAME.desktop
check_entry "$ENTRY"
[ -x "/usr/bin/$BIN" ] || want "/usr/bin/$BIN is not installed"
for s in "${LINUX_SIZES[@]}"; do
  [ -f "/usr/share/icons/hicolor/${s}x${s}/apps/$BIN.png" ] || want "no installed icon /usr/share/icons/hicolor/${s}x${s}/apps/$BIN.png"
done
# With desktop-file-utils, dpkg's trigger has rebuilt the MIME cache: folders now offer ccdesk.
if command -v update-desktop-database >/dev/null && [ -f /usr/share/applications/mimeinfo.cache ]; then
  grep -q "^inode/directory=.*$NAME.desktop" /usr/share/applications/mimeinfo.cache ||
    want "mimeinfo.cache does not offer $NAME.desktop for inode/directory"
fi
report "the installed package is not right"
echo "installed: $ENTRY, /usr/bin/$BIN, hicolor icons"

# Headless, with nothing of the machine's: an empty config dir, a temp HOME and XDG dirs.
mkdir -p "$TMP/home" "$TMP/claude" "$TMP/xdg/data" "$TMP/xdg/config" "$TMP/xdg/cache" "$TMP/xdg/runtime" "$TMP/work/a folder"
chmod 700 "$TMP/xdg/runtime"
export HOME=$TMP/home CLAUDE_CONFIG_DIR=$TMP/claude
export XDG_DATA_HOME=$TMP/xdg/data XDG_CONFIG_HOME=$TMP/xdg/config XDG_CACHE_HOME=$TMP/xdg/cache XDG_RUNTIME_DIR=$TMP/xdg/runtime
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
status=0
(cd "$TMP/work" && timeout 30 "/usr/bin/$BIN" list) >"$TMP/list.out" 2>"$TMP/list.err" </dev/null || status=$?
[ "$status" = 0 ] || { cat "$TMP/list.err" >&2; fail "installed '$BIN list' exited $status with an empty config dir"; }
echo "headless: /usr/bin/$BIN list exits 0 with an empty config dir, without a display ($(wc -l <"$TMP/list.out") lines)"

# The GUI, launched as a file manager would for "Open with ccdesk" on a folder.
if command -v Xvfb >/dev/null && command -v dbus-daemon >/dev/null; then
  log "packaging: GUI under a private Xvfb and session bus"
  setsid Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp -noreset 3>"$TMP/display" \
    >"$TMP/xvfb.log" 2>&1 </dev/null &
  PGIDS+=($!)
  for _ in $(seq 1 200); do grep -q '^[0-9]' "$TMP/display" 2>/dev/null && break; sleep 0.1; done
  grep -q '^[0-9]' "$TMP/display" || { cat "$TMP/xvfb.log" >&2; fail "Xvfb did not start"; }
  export DISPLAY=":$(head -n1 "$TMP/display" | tr -dc 0-9)"
  # A bus of its own, so that the single-instance plugin cannot hand over to another ccdesk.
  setsid dbus-daemon --session --nofork --nopidfile --address="unix:path=$TMP/xdg/runtime/bus" \
    >"$TMP/dbus.log" 2>&1 </dev/null &
  PGIDS+=($!)
  for _ in $(seq 1 100); do [ -S "$TMP/xdg/runtime/bus" ] && break; sleep 0.1; done
  [ -S "$TMP/xdg/runtime/bus" ] || { cat "$TMP/dbus.log" >&2; fail "dbus-daemon did not start"; }
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$TMP/xdg/runtime/bus" NO_AT_BRIDGE=1

  # The entry's Exec line, its %f/%F replaced by the folder, split on spaces (it has no quotes).
  exec_line=$(sed -n 's/^Exec=//p' "$ENTRY" | head -n1)
  read -r -a argv <<<"${exec_line//%[fF]/@FOLDER@}"
  for i in "${!argv[@]}"; do [ "${argv[$i]}" = @FOLDER@ ] && argv[i]="$TMP/work/a folder"; done
  echo "launching: ${argv[*]}"
  (cd "$TMP/home" && PATH="/usr/bin:$PATH" exec setsid "${argv[@]}") >"$TMP/gui.log" 2>&1 </dev/null &
  GUI=$!
  PGIDS+=("$GUI")
  window=""
  for i in $(seq 1 50); do # up to 5 s for a window; the process must stay up meanwhile
    kill -0 "$GUI" 2>/dev/null || { tail -n 30 "$TMP/gui.log" >&2; fail "the installed GUI exited during start-up"; }
    if command -v xwininfo >/dev/null && xwininfo -root -tree 2>/dev/null | grep -q "(\"$BIN\" "; then
      window=yes
      break
    fi
    sleep 0.1
  done
  sleep 3
  kill -0 "$GUI" 2>/dev/null || { tail -n 30 "$TMP/gui.log" >&2; fail "the installed GUI exited within 3 s of starting"; }
  if command -v xwininfo >/dev/null; then
    [ -n "$window" ] || { tail -n 30 "$TMP/gui.log" >&2; fail "the installed GUI mapped no window with WM_CLASS $BIN"; }
    echo "GUI: up for 3 s after mapping a window of WM_CLASS \"$BIN\" (the entry's StartupWMClass)"
  else
    echo "GUI: up for 3 s (xwininfo not installed: its window was not looked for)"
  fi
  stop_groups
else
  echo "GUI: skipped (needs Xvfb and dbus-daemon)"
fi

# ---- 6. removed ------------------------------------------------------------------------------------
log "packaging: dpkg --purge $NAME"
$SUDO dpkg --purge "$NAME" >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg --purge $NAME failed"; }
INSTALLED=0
! dpkg-query -W -f='${Status}' "$NAME" 2>/dev/null | grep -q 'installed' || fail "$NAME is still installed after dpkg --purge"
for f in "/usr/bin/$BIN" "$ENTRY" "/usr/share/icons/hicolor/32x32/apps/$BIN.png"; do
  [ ! -e "$f" ] || fail "$f is still there after dpkg --purge"
done
echo "removed: no $NAME package, binary, entry or icons left"
echo "packaging: all checks passed in $((SECONDS - started))s (bundling ${bundle_secs}s)"

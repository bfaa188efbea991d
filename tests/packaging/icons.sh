#!/usr/bin/env bash
# ccdesk's icon set, generated from one image, icons/source.svg, by the pinned Tauri CLI.
#
#   bash tests/packaging/icons.sh          regenerate every icon into icons/ (then commit them)
#   bash tests/packaging/icons.sh --check  regenerate into a temp dir and fail unless icons/ holds
#                                          exactly that, committed, and tauri.conf.json's
#                                          bundle.icon lists the Linux sizes, the .icns and the .ico
#
# `tauri icon` writes the desktop set (32x32, 64x64, 128x128, 128x128@2x, icon.png (512),
# icon.icns, icon.ico, the Windows Store Square*Logo/StoreLogo) plus Android and iOS sets, which
# ccdesk does not use and which are not kept. A second run with `-p` adds the remaining hicolor
# sizes the Linux packages install (16, 24, 48, 256).
set -euo pipefail
# shellcheck source=tests/packaging/lib.sh
. "$(dirname "$0")/lib.sh"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: bash tests/packaging/icons.sh [--check]" >&2; exit 2 ;;
esac

SRC="$ROOT/icons/source.svg"
OUT="$ROOT/icons"
EXTRA_SIZES=(16 24 48 256)
# The hicolor sizes a Linux package must carry, and the files bundle.icon must list for them.
LINUX_SIZES=(16 24 32 48 64 128 256 512)

[ -f "$SRC" ] || fail "no source image at $SRC"
ensure_tauri_cli

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "icons: tauri icon $(realpath --relative-to="$ROOT" "$SRC")"
p_args=()
for s in "${EXTRA_SIZES[@]}"; do p_args+=(-p "$s"); done
"$TAURI" icon "$SRC" -o "$tmp/gen" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "tauri icon failed"; }
"$TAURI" icon "$SRC" -o "$tmp/gen" "${p_args[@]}" >>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "tauri icon -p failed"; }
rm -rf "$tmp/gen/android" "$tmp/gen/ios"
mapfile -t generated < <(cd "$tmp/gen" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort)
[ ${#generated[@]} -gt 0 ] || fail "tauri icon generated nothing"

# The order of an .icns file's chunks varies from run to run: a digest of its sorted chunks.
icns_digest() {
  local f=$1 total off=8 type len
  [ "$(head -c4 "$f")" = icns ] || { echo "not-icns"; return; }
  total=$(stat -c %s "$f")
  while [ "$off" -lt "$total" ]; do
    type=$(tail -c +$((off + 1)) "$f" | head -c4)
    len=$(u32be "$f" $((off + 4)))
    [ "$len" -ge 8 ] || { echo "bad-icns"; return; }
    echo "$type $(tail -c +$((off + 1)) "$f" | head -c "$len" | sha256sum | cut -d' ' -f1)"
    off=$((off + len))
  done | LC_ALL=C sort | sha256sum | cut -d' ' -f1
}
same_icon() { # same_icon A B: equal bytes, or for .icns the same chunks
  if [[ $1 == *.icns ]]; then [ "$(icns_digest "$1")" = "$(icns_digest "$2")" ]; else cmp -s "$1" "$2"; fi
}

if [ "$mode" = write ]; then
  # Drop icons a previous set had and this one does not, then copy the new set in.
  for f in "$OUT"/*; do
    b=$(basename "$f")
    [ "$b" = source.svg ] && continue
    [ -e "$tmp/gen/$b" ] || { echo "removing stale icons/$b"; rm -f "$f"; }
  done
  for b in "${generated[@]}"; do
    # An unchanged .icns keeps its bytes (only the chunk order would change).
    [ -f "$OUT/$b" ] && same_icon "$OUT/$b" "$tmp/gen/$b" || cp "$tmp/gen/$b" "$OUT/$b"
  done
  echo "wrote ${#generated[@]} icons into icons/ (commit them)"
  exit 0
fi

# --check -----------------------------------------------------------------------------------
problems=()

for b in "${generated[@]}"; do
  if [ ! -f "$OUT/$b" ]; then
    problems+=("icons/$b is missing")
  else
    same_icon "$OUT/$b" "$tmp/gen/$b" || problems+=("icons/$b differs from what icons/source.svg gives")
  fi
done
for f in "$OUT"/*; do
  b=$(basename "$f")
  [ "$b" = source.svg ] || [ -e "$tmp/gen/$b" ] || problems+=("icons/$b is not generated from source.svg (stale?)")
done

if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  for b in source.svg "${generated[@]}"; do
    if ! git -C "$ROOT" ls-files --error-unmatch "icons/$b" >/dev/null 2>&1; then
      problems+=("icons/$b is not committed")
    elif ! git -C "$ROOT" diff --quiet HEAD -- "icons/$b"; then
      problems+=("icons/$b has uncommitted changes")
    fi
  done
else
  echo "(not a git checkout: skipping the committed-files check)"
fi

mapfile -t listed < <(cd "$ROOT" && bundle_icons)
declare -A have_size=()
has_icns=0 has_ico=0
for p in "${listed[@]}"; do
  f="$ROOT/$p"
  [ -f "$f" ] || { problems+=("bundle.icon lists $p, which does not exist"); continue; }
  case "$p" in
    "$(realpath --relative-to="$ROOT" "$OUT")"/*) ;;
    *) problems+=("bundle.icon lists $p, outside icons/") ;;
  esac
  case "$p" in
    *.png)
      sz=$(png_size "$f")
      name=$(basename "$p" .png)
      if [[ $name =~ ^([0-9]+)x([0-9]+)@2x$ ]]; then
        want="$((BASH_REMATCH[1] * 2))x$((BASH_REMATCH[2] * 2))"
      elif [[ $name =~ ^[0-9]+x[0-9]+$ ]]; then
        want=$name
      else
        want=$sz
      fi
      [ "$sz" = "$want" ] || problems+=("$p is $sz, its name says $want")
      [[ $name == *@2x ]] || have_size[${sz%%x*}]=1
      ;;
    *.icns) has_icns=1 ;;
    *.ico) has_ico=1 ;;
  esac
done
for s in "${LINUX_SIZES[@]}"; do
  [ -n "${have_size[$s]:-}" ] || problems+=("bundle.icon has no ${s}x${s} PNG (a Linux hicolor size)")
done
[ $has_icns = 1 ] || problems+=("bundle.icon has no .icns (macOS)")
[ $has_ico = 1 ] || problems+=("bundle.icon has no .ico (Windows)")

if [ ${#problems[@]} -gt 0 ]; then
  printf '  - %s\n' "${problems[@]}" >&2
  fail "icons/ is not the committed output of icons/source.svg (run: bash tests/packaging/icons.sh, then commit icons/ and fix bundle.icon)"
fi
echo "icons: ${#generated[@]} generated files match icons/, committed; bundle.icon lists ${#listed[@]} files covering ${LINUX_SIZES[*]} px, .icns and .ico"

#!/usr/bin/env bash
# Makes one of the test data sets (a Claude Code config dir, its project folders and manifest.json).
#
#   bash tests/datasets/make.sh real-cli|hostile|scale <outdir>
#
# real-cli needs the pinned CLI builds (tests/real-cli/env.sh is sourced when
# CCDESK_REAL_CLI_OLD_JS is not set; it runs `npm ci` there when needed) and the mock API binary
# (MOCK_MESSAGES_API, default target/debug/mock-messages-api). See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
which=${1:?usage: make.sh real-cli|hostile|scale <outdir>}
out=${2:?usage: make.sh real-cli|hostile|scale <outdir>}
SECONDS=0
case "$which" in
  hostile | scale) node "$HERE/$which.mjs" "$out" ;;
  real-cli)
    if [ -z "${CCDESK_REAL_CLI_OLD_JS:-}" ] || [ -z "${CCDESK_REAL_CLI_JS:-}" ]; then
      # shellcheck source=tests/real-cli/env.sh
      . "$ROOT/tests/real-cli/env.sh"
    fi
    bash "$HERE/real-cli.sh" "$out"
    ;;
  *) echo "make.sh: unknown data set '$which' (real-cli, hostile or scale)" >&2; exit 2 ;;
esac
[ -f "$out/manifest.json" ] || { echo "make.sh: $which wrote no manifest" >&2; exit 1; }
echo "[datasets] $which made in ${SECONDS} s: $out" >&2

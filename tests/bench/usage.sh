#!/usr/bin/env bash
# Headless benchmark of `ccdesk usage` (issue 14): a new process counting every transcript's
# tokens and dollars, beside `cat` of the same files and `ccusage daily` (the same counting
# rules, 18.x), on a warm page cache. Not a test, never run by CI; it prints figures (the median
# of RUNS runs; ccusage once, it is slow) and the three token totals side by side.
#
#   bash tests/bench/usage.sh CONFIG_DIR [BINARY]
#
# BINARY defaults to target/release/ccdesk-cli (`cargo build --release -p ccdesk-cli`). ccusage is
# the one tests/real-cli/env.sh installs (tests/real-cli/node_modules/ccusage).
set -euo pipefail
CONFIG=${1:?usage: usage.sh CONFIG_DIR [BINARY]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${2:-$ROOT/target/release/ccdesk-cli}
CCUSAGE=${CCUSAGE:-$ROOT/tests/real-cli/node_modules/ccusage/dist/index.js}
RUNS=${RUNS:-5}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
export CLAUDE_CONFIG_DIR=$CONFIG XDG_DATA_HOME=$DATA HOME=$DATA
PROJECTS=$CONFIG/projects

# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

files=$(find "$PROJECTS" -name '*.jsonl' | wc -l)
bytes=$(du -sb "$PROJECTS" | cut -f1)
echo "binary: $BIN"
echo "corpus: $files transcript files, $(( bytes / 1000000 )) MB; median of $RUNS"
find "$PROJECTS" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null   # warm the page cache
cat_all() { find "$PROJECTS" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null; }
cat_ms=$(median_ms cat_all)
usage_ms=$(median_ms "$BIN" usage --json)
echo "cat of every transcript:        $cat_ms ms"
echo "ccdesk usage --json:            $usage_ms ms"
"$BIN" usage --json > "$DATA/ours.json"
if [ -f "$CCUSAGE" ]; then
  t0=$(date +%s%N); node "$CCUSAGE" daily --json --offline > "$DATA/theirs.json"; t1=$(date +%s%N)
  echo "ccusage daily --json --offline: $(( (t1 - t0) / 1000000 )) ms (once)"
  python3 - "$DATA/ours.json" "$DATA/theirs.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["total"]
theirs = json.load(open(sys.argv[2]))["totals"]
for k in ("inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens"):
    print(f"  {k:20} ccdesk {ours[k]:>14}  ccusage {theirs[k]:>14}  {'equal' if ours[k] == theirs[k] else 'DIFFERENT'}")
PY
else
  echo "ccusage not installed ($CCUSAGE): run tests/real-cli/env.sh first"
fi

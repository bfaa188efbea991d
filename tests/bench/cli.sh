#!/usr/bin/env bash
# Headless benchmark of ccdesk (issue 11): new processes of `ccdesk list` and `ccdesk search`
# against the baselines the issue names, on a warm page cache. Not a test, never run by CI; it
# prints figures (the median of RUNS runs) and exits 0 whatever they are.
#
#   bash tests/bench/cli.sh CONFIG_DIR [BINARY]
#
# CONFIG_DIR is a Claude config dir (transcripts under CONFIG_DIR/projects), e.g. the corpus the
# core benchmarks make (`cargo bench -p ccdesk-core --bench index` with CCDESK_BENCH_DIR=DIR
# leaves DIR/ccdesk-genuine-10000-500). The binary defaults to target/release/ccdesk-cli (build
# it with `cargo build --release -p ccdesk-cli`); give target/release/ccdesk to time the window's
# binary, which runs the same commands after loading its GUI libraries. ccdesk's data dir (its index cache) goes to a temp dir;
# the first search builds the index (timed once), the runs after find it up to date.
# Needs `rg` (apt-get install ripgrep) for the search baseline.
set -euo pipefail
CONFIG=${1:?usage: cli.sh CONFIG_DIR [BINARY]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${2:-$ROOT/target/release/ccdesk-cli}
RUNS=${RUNS:-5}
WORD=${WORD:-$(python3 - <<'PY'
C = 'bcdfghjklmnprstvz'; V = 'aeiou'
def w(i):  # benches/common/mod.rs word(): a mid-frequency word of the corpus's vocabulary
    s = ''; n = i + 1
    while n > 0:
        s += C[n % len(C)]; n //= len(C); s += V[n % len(V)]; n //= len(V)
    return s
print(w(400))
PY
)}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
export CLAUDE_CONFIG_DIR=$CONFIG XDG_DATA_HOME=$DATA HOME=$DATA
PROJECTS=$CONFIG/projects

# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

files=$(find "$PROJECTS" -name '*.jsonl' | wc -l)
bytes=$(du -sb "$PROJECTS" | cut -f1)
echo "binary: $BIN"
echo "corpus: $files transcripts, $(( bytes / 1000000 )) MB; word: $WORD; median of $RUNS"
find "$PROJECTS" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null   # warm the page cache
t0=$(date +%s%N); "$BIN" search "$WORD" --limit 20 > /dev/null; t1=$(date +%s%N)
echo "first ccdesk search (lists, builds the index): $(( (t1 - t0) / 1000000 )) ms"

stat_walk=$(median_ms find "$PROJECTS" -name '*.jsonl' -printf '%s %T@ %i\n')
list=$(median_ms "$BIN" list --json)
list_cold=$(median_ms "$BIN" list --json --no-cache)
rg_l=$(median_ms rg -l --no-ignore "$WORD" "$PROJECTS")
search=$(median_ms "$BIN" search "$WORD" --limit 20)
search_json=$(median_ms "$BIN" search "$WORD" --limit 20 --json)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "stat walk (find -printf):        $stat_walk ms"
echo "ccdesk list --json (cache):      $list ms = $(ratio "$list" "$stat_walk")x the stat walk (goal <= 2)"
echo "ccdesk list --json --no-cache:   $list_cold ms"
echo "rg -l WORD:                      $rg_l ms"
echo "ccdesk search WORD --limit 20:   $search ms = $(ratio "$search" "$rg_l")x rg -l (goal <= 0.10)"
echo "  with --json:                   $search_json ms"

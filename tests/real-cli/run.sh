#!/usr/bin/env bash
# Runs ccdesk's real-CLI suite (src-tauri/core/tests/real_cli.rs) against the pinned Claude Code
# builds of package.json, inside a network namespace that has only loopback.
#
#   bash tests/real-cli/run.sh [extra cargo test args, e.g. a test name filter]
#
# Steps: `npm ci` (only when node_modules is missing or older than package-lock.json; npm registry
# only, install scripts disabled), build the test binary (needs crates.io), then run it offline
# in `unshare -n` (needs root or user namespaces). Env: CARGO (default cargo), RUST_TEST_THREADS
# (default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cargo="${CARGO:-cargo}"

# 1. The pinned CLIs, from the npm registry only.
stamp="$here/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
    echo "run.sh: installing the pinned CLI builds (npm ci)" >&2
    # --ignore-scripts: nothing but the registry tarballs; both packages work without scripts.
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund)
fi
js="$here/node_modules/claude-js/cli.js"
native="$here/node_modules/claude-native-linux-x64/claude"
for f in "$js" "$native"; do
    if [ ! -x "$f" ]; then
        echo "run.sh: $f is missing or not executable after npm ci" >&2
        exit 1
    fi
done
command -v node >/dev/null || { echo "run.sh: node is needed for the JS build" >&2; exit 1; }
echo "run.sh: JS build $(node "$js" --version 2>/dev/null), native build $("$native" --version 2>/dev/null)" >&2

# 2. Build while the network is still there.
cd "$repo"
"$cargo" test -p ccdesk-core --test real_cli --no-run

# 3. Run with only loopback: nothing the CLI tries can leave the machine.
# The runner adds the test's env to the inherited one: drop the caller's Claude/Anthropic
# settings (an auth token, Bedrock/Vertex switches, a model) so they cannot steer the CLI.
for v in $(compgen -e); do
    case "$v" in ANTHROPIC_* | CLAUDE_* | CLAUDECODE) unset "$v" ;; esac
done
export CCDESK_REAL_CLI_JS="$js"
export CCDESK_REAL_CLI_NATIVE="$native"
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-2}"
# Quote the extra args for the inner shell.
extra=""
for a in "$@"; do extra="$extra '${a//\'/\'\\\'\'}'"; done
exec unshare -n -- sh -c "ip link set lo up && exec \"\$0\" test --offline -p ccdesk-core --test real_cli -- --nocapture $extra" "$cargo"

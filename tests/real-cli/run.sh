#!/usr/bin/env bash
# Runs ccdesk's real-CLI suites (src-tauri/core/tests/real_cli.rs: the runner; real_cli_pool.rs:
# the session pool) against the pinned Claude Code builds of package.json, inside a network
# namespace that has only loopback.
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

# 1. The pinned CLIs, from the npm registry only; the env the suite reads.
# shellcheck source=tests/real-cli/env.sh
. "$here/env.sh"

# 2. Build while the network is still there.
cd "$repo"
"$cargo" test -p ccdesk-core --test real_cli --test real_cli_pool --test real_cli_agents --no-run

# 3. Run with only loopback: nothing the CLI tries can leave the machine.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-2}"
# Quote the extra args for the inner shell.
extra=""
for a in "$@"; do extra="$extra '${a//\'/\'\\\'\'}'"; done
exec unshare -n -- sh -c "ip link set lo up && exec \"\$0\" test --offline -p ccdesk-core --test real_cli --test real_cli_pool --test real_cli_agents -- --nocapture $extra" "$cargo"

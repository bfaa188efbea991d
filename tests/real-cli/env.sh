# Sourced (not run): installs the pinned CLI builds of package.json when needed, checks them, and
# exports CCDESK_REAL_CLI_JS / CCDESK_REAL_CLI_NATIVE for src-tauri/core/tests/real_cli.rs and
# CCDESK_REAL_CLI_OLD_JS (1.0.128, a 1.0.x build) for tests/datasets/real-cli.sh, and
# CCDESK_CCUSAGE_JS (ccusage 18, whose token totals `ccdesk usage` must equal).
# Also drops the caller's Claude/Anthropic settings (an auth token, Bedrock/Vertex switches, a
# model): the runner adds the test's env to the inherited one, and they must not steer the CLI.
# Used by tests/real-cli/run.sh and tests/bootstrap.sh.

_rc_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_rc_stamp="$_rc_here/node_modules/.package-lock.json"
if [ ! -f "$_rc_stamp" ] || [ "$_rc_here/package-lock.json" -nt "$_rc_stamp" ]; then
    echo "real-cli: installing the pinned CLI builds (npm ci)" >&2
    # --ignore-scripts: nothing but the registry tarballs; both packages work without scripts.
    (cd "$_rc_here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
CCDESK_REAL_CLI_JS="$_rc_here/node_modules/claude-js/cli.js"
CCDESK_REAL_CLI_NATIVE="$_rc_here/node_modules/claude-native-linux-x64/claude"
CCDESK_REAL_CLI_OLD_JS="$_rc_here/node_modules/claude-old/cli.js"
CCDESK_CCUSAGE_JS="$_rc_here/node_modules/ccusage/dist/index.js"
for _rc_f in "$CCDESK_REAL_CLI_JS" "$CCDESK_REAL_CLI_NATIVE" "$CCDESK_REAL_CLI_OLD_JS"; do
    if [ ! -x "$_rc_f" ]; then
        echo "real-cli: $_rc_f is missing or not executable after npm ci" >&2
        return 1
    fi
done
command -v node >/dev/null || { echo "real-cli: node is needed for the JS build" >&2; return 1; }
echo "real-cli: JS builds $(node "$CCDESK_REAL_CLI_JS" --version 2>/dev/null) and $(node "$CCDESK_REAL_CLI_OLD_JS" --version 2>/dev/null), native build $("$CCDESK_REAL_CLI_NATIVE" --version 2>/dev/null)" >&2
for _rc_v in $(compgen -e); do
    case "$_rc_v" in ANTHROPIC_* | CLAUDE_* | CLAUDECODE) unset "$_rc_v" ;; esac
done
[ -f "$CCDESK_CCUSAGE_JS" ] || { echo "real-cli: $CCDESK_CCUSAGE_JS is missing after npm ci" >&2; return 1; }
export CCDESK_REAL_CLI_JS CCDESK_REAL_CLI_NATIVE CCDESK_REAL_CLI_OLD_JS CCDESK_CCUSAGE_JS
unset _rc_here _rc_stamp _rc_f _rc_v

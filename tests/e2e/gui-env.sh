# Shared by tests/e2e/run.sh and tests/bench/gui.sh (sourced, not run): a private display and
# session bus for the app, free loopback ports for tauri-driver, and the stopping of every
# process group started. Expects `log` and `die`, `$TMP` (with logs/ and xdg/runtime/) and the
# array `PGIDS` (process groups to stop on exit) from the script that sources it.

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...: polls every 0.1 s
  local limit=$1 what=$2 i
  shift 2
  for i in $(seq 1 $((limit * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  die "timed out after ${limit}s waiting for $what"
}

# Ends every process group in PGIDS (each background helper leads its own, through setsid):
# TERM, up to 3 s to go, then KILL.
stop_groups() {
  local g
  for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || kill -TERM "$g" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    local alive=0
    for g in "${PGIDS[@]}"; do { kill -0 -- "-$g" || kill -0 "$g"; } 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || kill -KILL "$g" 2>/dev/null || true; done
}

# Everything started from here on (the bus, the driver, the app) keeps its files in the temp dir:
# the app's data dir, where tauri-plugin-store writes ccdesk's session registry (registry.json), is
# $XDG_DATA_HOME/<identifier>, so no run sees another's names and pins, and the machine's stay
# untouched. Then: Xvfb on a display it picks itself (exports DISPLAY), and a private session bus
# run as our own child (dbus-launch would leave an unreaped daemon behind; exports
# DBUS_SESSION_BUS_ADDRESS), when dbus-daemon is installed.
start_display_and_bus() {
  export XDG_DATA_HOME=$TMP/xdg/data XDG_CONFIG_HOME=$TMP/xdg/config XDG_CACHE_HOME=$TMP/xdg/cache
  export XDG_RUNTIME_DIR=$TMP/xdg/runtime
  export NO_AT_BRIDGE=1 # GTK: no accessibility bus
  # Xvfb picks a free display number itself and writes it to fd 3.
  setsid Xvfb -displayfd 3 -screen 0 1400x1000x24 -nolisten tcp -noreset 3>"$TMP/display" \
    >"$TMP/logs/xvfb.log" 2>&1 </dev/null &
  PGIDS+=($!)
  display_ready() { [ -s "$TMP/display" ] && grep -q '^[0-9]' "$TMP/display"; }
  wait_until 20 "Xvfb to start (see $TMP/logs/xvfb.log)" display_ready
  export DISPLAY=":$(head -n1 "$TMP/display" | tr -dc 0-9)"
  if command -v dbus-daemon >/dev/null; then
    local bus=$TMP/xdg/runtime/bus
    setsid dbus-daemon --session --nofork --nopidfile --address="unix:path=$bus" \
      >"$TMP/logs/dbus.log" 2>&1 </dev/null &
    PGIDS+=($!)
    wait_until 10 "the session bus (see $TMP/logs/dbus.log)" test -S "$bus"
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$bus"
  else
    log "no dbus-daemon: running without a session bus"
  fi
}

# Sets PORT to the first of two free loopback ports (tauri-driver's and WebKitWebDriver's) at or
# after $1, in steps of 2, below $2.
free_port_pair() {
  PORT=$1
  while port_in_use "$PORT" || port_in_use "$((PORT + 1))"; do
    PORT=$((PORT + 2))
    [ "$PORT" -lt "$2" ] || die "no free port pair in $1..$2"
  done
}

# Starts tauri-driver on $PORT (WebKitWebDriver on PORT+1) with HOME=$TMP/home, sets DRIVER_PID
# and waits until it listens. The app inherits its environment (through WebKitWebDriver).
start_driver() {
  HOME=$TMP/home setsid tauri-driver --port "$PORT" --native-port "$((PORT + 1))" \
    >"$TMP/logs/tauri-driver.log" 2>&1 </dev/null &
  DRIVER_PID=$!
  PGIDS+=("$DRIVER_PID")
  driver_ready() {
    kill -0 "$DRIVER_PID" 2>/dev/null || die "tauri-driver exited (see $TMP/logs/tauri-driver.log)"
    port_in_use "$PORT"
  }
  wait_until 30 "tauri-driver on port $PORT" driver_ready
}

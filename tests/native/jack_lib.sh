# Sourced by the JACK tests and benchmarks (jalv_test.sh, ardour_test.sh, tools/bench/lv2_xruns.sh):
# stopping what they started, ports, and a private jackd whose name comes from a small pool.

# stop SIGNAL PID...: SIGNAL, then KILL what is left after 5 s (the JACK tools end at once on INT
# and may linger on TERM; jackd wants TERM to unregister its name)
stop() {
  local p sig="$1"; shift
  for p in "$@"; do kill -"$sig" "$p" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
}

has_port() { jack_lsp 2>/dev/null | grep -qxF "$1"; }
# A client's port is listed before the client is active, and JACK refuses to connect an inactive
# client's port ("Cannot connect ports owned by inactive clients"): try for up to 10 s.
connect() {
  local i
  for i in $(seq 100); do jack_connect "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
  jack_connect "$1" "$2"
}

# start_jackd LOG "JACKD OPTIONS" NAME...: starts `jackd OPTIONS -n NAME -d dummy ...` under the
# first NAME no live server holds; sets JACKD (its pid) and exports JACK_DEFAULT_SERVER. Names come
# from a fixed pool, not the pid: jackd keeps a machine-wide table of 8 server names
# (/dev/shm/jack-shm-registry) in which a server that dies keeps its slot until one of the same
# name starts, so fresh names would fill it. Returns 0 when up; 1 when that table is full; 2 when
# jackd would not start; 3 when every name is taken. DRIVER holds the driver's options.
start_jackd() {
  local log="$1" options="$2" name; shift 2
  JACKD=""
  for name in "$@"; do
    export JACK_DEFAULT_SERVER="$name"
    # shellcheck disable=SC2086 # the options are words
    jackd $options -n "$name" -d dummy $DRIVER >"$log" 2>&1 &
    JACKD=$!
    if timeout 15 jack_wait -w -t 10 >/dev/null 2>&1 && kill -0 "$JACKD" 2>/dev/null; then return 0; fi
    stop TERM "$JACKD"; wait "$JACKD" 2>/dev/null; JACKD=""
    grep -q "Too many servers" "$log" && return 1
    grep -q "already active" "$log" || return 2
  done
  return 3
}

# the message for start_jackd's return code
jackd_failure() {
  case "$1" in
    1) echo "jackd: JACK's server registry is full (/dev/shm/jack-shm-registry: 8 slots, dead servers' included)" ;;
    2) echo "jackd did not come up" ;;
    *) echo "no free JACK server name (the pool: $2)" ;;
  esac
}

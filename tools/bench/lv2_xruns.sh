#!/usr/bin/env bash
# The assembled plug-in in jalv on a real-time jackd (dummy driver, 48 kHz, 256 frames) for N
# minutes while a phrase every 3 bars makes Java answer: counts the xruns jackd reports, and the
# answer notes that came out (proof that Java kept answering). A benchmark: prints figures, exits 0
# whatever they are (1 only if it could not run).
#   lv2_xruns.sh BUNDLE [MINUTES (default 10)] [WORK_DIR]
# JACK server names come from this bench's own pool, pianola-bench-1..2 (jackd's registry has 8
# slots machine-wide; a fixed pool reuses its own). jackd runs -R (SCHED_FIFO) without -S: an
# ordinary real-time server, whose xruns are what a user would hear.
# jackd2 reports each xrun in its log: "JackTimedDriver::Process XRun" (the dummy driver's timer
# woke late: the machine) and "JackEngine::XRun: client = X was not finished" (a client late in its
# cycle); each kind is counted. Then the same minutes again with the plug-in's Java side off
# (PIANOLA_JAVA_HOME=/nonexistent: MIDI thru only) as a baseline, for PIANOLA_XRUN_BASELINE_MINUTES
# (default MINUTES; 0 skips it).
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../../tests/native/jack_lib.sh"
BUNDLE="$(readlink -f "${1:?usage: lv2_xruns.sh BUNDLE [MINUTES] [WORK_DIR]}")"
MINUTES="${2:-10}"
WORK="${3:-$(mktemp -d)}"
URI=https://pianola.dev/plugins/pianola
RATE=48000
FPB=24000 # 120 BPM
say() { echo "lv2_xruns: $*"; }
for tool in jackd jalv jack_wait jack_lsp jack_connect jack_midiseq jack_midi_dump jack_transport; do
  command -v "$tool" >/dev/null 2>&1 || { say "$tool not found (scripts/setup installs jalv and jackd2)"; exit 1; }
done
[ -f "$BUNDLE/pianola.so" ] && [ -f "$BUNDLE/pianola.jar" ] || { say "no assembled bundle at $BUNDLE"; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/lv2path" || exit 1
ln -s "$BUNDLE" "$WORK/lv2path/pianola.lv2"
export LV2_PATH="$WORK/lv2path" JACK_NO_START_SERVER=1

PIDS=() JACKD=""
stop_all() { # every process started here, by pid: the clients, then the server
  exec 7>&- 2>/dev/null
  [ ${#PIDS[@]} -gt 0 ] && stop TERM "${PIDS[@]}"
  PIDS=()
  [ -n "$JACKD" ] && stop TERM "$JACKD"
  JACKD=""
  wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT TERM
wait_for() { # seconds, then a command
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.1; done
}

DRIVER="-r $RATE -p 256"
start_jackd "$WORK/jackd.log" "-R" pianola-bench-1 pianola-bench-2 \
  || { say "$(jackd_failure $? pianola-bench-1..2)"; tail -5 "$WORK/jackd.log"; exit 1; }

mkfifo "$WORK/transport.fifo"
jack_transport <"$WORK/transport.fifo" >"$WORK/transport.log" 2>&1 &
PIDS+=($!)
exec 7>"$WORK/transport.fifo"
printf 'master\ntempo 120\nlocate 0\nplay\n' >&7
# the player: 4 notes, half a beat each, every 12 beats (6 s)
jack_midiseq seq $((12 * FPB)) 0 60 $((FPB / 2)) $FPB 64 $((FPB / 2)) $((2 * FPB)) 67 $((FPB / 2)) $((3 * FPB)) 72 $((FPB / 2)) >"$WORK/seq.log" 2>&1 &
PIDS+=($!)
wait_for 10 has_port seq:out || { say "no seq:out port"; exit 1; }
stdbuf -oL jack_midi_dump -a dump >"$WORK/dump.txt" 2>/dev/null &
PIDS+=($!)
wait_for 15 has_port dump:input || { say "no dump:input port"; exit 1; }

# One phase: jalv with the plug-in (quick answers: 1 bar, after 1 beat, on the next beat, the most
# work for Java per minute) for MINUTES, then stopped; figures from jackd's log lines in between.
phase() { # label, minutes, then extra environment for jalv
  local label="$1" MINUTES="$2"; shift 2
  : >"$WORK/dump.txt"
  env "$@" stdbuf -oL -eL jalv -i -x -n pianola -c answer_bars=1 -c silence_beats=1 -c start_on=1 "$URI" >"$WORK/jalv-$label.log" 2>&1 &
  local jalv=$!
  wait_for 60 has_port pianola:midi_out || { say "$label: no pianola ports"; tail -5 "$WORK/jalv-$label.log"; return 1; }
  sleep 2 # Java starts (or is found missing)
  jack_connect seq:out pianola:events_in; jack_connect pianola:midi_out dump:input
  local from=$(wc -l <"$WORK/jackd.log") load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  sleep "$(python3 -c "print(float('$MINUTES') * 60)")"
  local load1="$(cut -d' ' -f1-3 /proc/loadavg)" alive=yes
  kill -0 $jalv 2>/dev/null || alive="NO (exited)"
  tail -n +"$((from + 1))" "$WORK/jackd.log" >"$WORK/jackd-$label.log"
  stop TERM $jalv; wait $jalv 2>/dev/null
  local driver pianola others ons
  driver=$(grep -c 'JackTimedDriver::Process XRun' "$WORK/jackd-$label.log")
  pianola=$(grep -c 'client = pianola was not finished' "$WORK/jackd-$label.log")
  others=$(grep 'was not finished' "$WORK/jackd-$label.log" | grep -vc 'client = pianola ')
  ons=$(python3 - "$WORK/dump.txt" <<'PY'
import re, sys
n = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\s*(\d+):((?: [0-9a-f]{2})+)", line)
    if m:
        b = [int(x, 16) for x in m.group(2).split()]
        n += len(b) == 3 and b[0] & 0xF0 == 0x90 and b[2] > 0
print(n)
PY
)
  say "$label: $MINUTES min, load $load0 -> $load1; jalv alive: $alive"
  say "$label:   xruns in jackd's log: $driver driver cycles woken late (JackTimedDriver XRun), $pianola with pianola not finished, $others with another client not finished"
  say "$label:   note-ons out of pianola: $ons (the phrase passes through: 4 per 6 s; the rest are answers)"
}

say "jackd $JACK_DEFAULT_SERVER (-R, dummy, 48 kHz, 256 frames = 5.33 ms), transport rolling at 120 BPM"
phase java "$MINUTES"
# the same without Java (the plug-in passes MIDI through): the machine's and JACK's own share
B="${PIANOLA_XRUN_BASELINE_MINUTES:-$MINUTES}"
[ "$B" != 0 ] && phase no-java "$B" PIANOLA_JAVA_HOME=/nonexistent
exit 0

#!/usr/bin/env bash
# The assembled plug-in in Ardour 7, headless: ardour7-lua (Ardour's Lua session tool, no display)
# runs ardour_test.lua on Ardour's JACK backend, on a private `jackd -d dummy` (48 kHz, 256-frame
# periods). The Lua side makes a fresh session (120 BPM 4/4, auto-connect off), a MIDI track with
# the plug-in inserted by URI, input monitored, and rolls the transport; this side plays a
# five-note phrase into the track's MIDI input (jack_midiseq) and records the track's MIDI output
# port (jack_midi_dump -a), i.e. what leaves the track after the plug-in and the fader. Checks:
#   - the phrase comes out of the track (thru), on its frames (1 beat apart, half a beat long);
#   - the plug-in's answer comes out of the track too: notes after the phrase, exactly the
#     note-ons Java sent (PIANOLA_NOTE_LOG), each on the frame of its beat with one transport start
#     frame for all (frame = start + ceil(beat * 24000)), on the Continuator's 1/24-beat grid,
#     starting in the first beat of the first bar line after the phrase's last release plus the
#     default silence (silence_beats 2), at most answer_bars (2) bars long, nothing left hanging;
#   - the plug-in reports no error: Ardour prints the plug-in's log:Error lines (no Java, a JVM
#     that will not start, a Java exception: status 2 or 3), and any such line fails the test;
#   - one instance of the plug-in on the MIDI track (Ardour's replication count), and (a first,
#     separate run of ardour_tracks.lua on Ardour's dummy backend) one on a stereo audio track,
#     one on a mono audio track and one on a MIDI track: the stereo ports keep Ardour from
#     replicating it (two instances, two answers) on stereo tracks;
#   - the instance's virtual MIDI port (Pianola-1:notes, in Ardour's process) carries the same
#     answer, each message whole periods after the track's output, at its own frame in the period;
#   - Ardour's JACK client was not thrown out by jackd ("JACK HALTED", see native-shim/README.md).
#   - the session saved, closed and loaded again: a control changed before the roll (Velocity
#     Scale 0.75) comes back (the plug-in's state in the project).
# The bundle is an LV2 bundle (pianola.lv2) or a VST3 bundle (Pianola.vst3: scanned with Ardour's
# ardour-vst3-scanner, inserted by name; the track-placement step is LV2's only).
#   tests/native/ardour_test.sh BUNDLE_DIR [WORK_DIR]
# Exit 0 when all checks pass; on failure Ardour's, jackd's and the tools' logs are printed.
# Ardour missing is a failure, not a skip: scripts/setup installs it.
set -uo pipefail

HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
. "$HERE/jack_lib.sh"
BUNDLE="$(readlink -f "${1:?usage: ardour_test.sh BUNDLE_DIR [WORK_DIR]}")"
WORK="${2:-$(mktemp -d)}"
RATE=48000
FPB=$((RATE * 60 / 120)) # frames per beat at the session's 120 BPM: 24000
# The transport rolls to beat 28 (14 s at full speed): the phrase starts 2-5 beats in and ends
# 4.5 beats later, its answer (2 bars) starts on the first bar line 2 beats after that: by beat 16, over by 24.
ROLL_BEATS=28
ROLL_LIMIT_SECONDS=60

T0=$(date +%s.%N)
say() { echo "ardour_test: [$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%5.1f", b - a }') s] $*"; }
# Ardour 7.3 on jackd 1.9.21 now and then garbles its requests on the JACK socket and jackd drops it
# ("JACK HALTED"; Ardour's race, not the plug-in's, seen before the plug-in opened any JACK client):
# the whole test runs again, in a fresh folder, and says so: up to 5 attempts (on a busy machine the race
# came twice in a row; in a CI run on 2026-12-05 three times, the LV2 test's three attempts all halted).
ATTEMPTS=5
retry_if_halted() {
  local attempt="${ARDOUR_TEST_ATTEMPT:-1}"
  if grep -q "JACK HALTED" "$WORK/ardour.log" 2>/dev/null && [ "$attempt" -lt "$ATTEMPTS" ]; then
    say "jackd threw Ardour's client out (\"JACK HALTED\" after garbled requests: Ardour 7.3's race on jackd 1.9.21); running the test again (attempt $((attempt + 1)) of $ATTEMPTS)"
    stop_all
    ARDOUR_TEST_ATTEMPT=$((attempt + 1)) exec "$0" "$BUNDLE" "$WORK.again$attempt"
  fi
}
die() {
  retry_if_halted
  say "FAIL: $*"
  grep -q "JACK HALTED" "$WORK/ardour.log" 2>/dev/null \
    && say "(jackd threw Ardour's client out: \"JACK HALTED\" after garbled requests, a race seen now and then with Ardour 7.3 on jackd 1.9.21; run again)"
  show_logs; exit 1
}
for tool in ardour7-lua jackd jack_wait jack_lsp jack_connect jack_disconnect jack_midiseq jack_midi_dump python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || {
    case "$tool" in
      ardour7-lua) say "FAIL: ardour7-lua not found: the Ardour test needs Ardour 7 (Debian package ardour; scripts/setup installs it)" ;;
      *) say "FAIL: $tool not found (scripts/setup installs jackd2 and the rest)" ;;
    esac
    exit 1
  }
done
case "$BUNDLE" in *.vst3) FORMAT=vst3 ;; *) FORMAT=lv2 ;; esac
export ARDOUR_TEST_FORMAT=$FORMAT
if [ $FORMAT = vst3 ]; then
  [ -f "$BUNDLE/Contents/$(uname -m)-linux/Pianola.so" ] && [ -e "$BUNDLE/Contents/Resources/pianola.jar" ] \
    || { say "FAIL: no assembled VST3 bundle at $BUNDLE"; exit 1; }
else
  [ -f "$BUNDLE/pianola.so" ] && [ -f "$BUNDLE/pianola.jar" ] || { say "FAIL: no assembled bundle at $BUNDLE"; exit 1; }
fi

rm -rf "$WORK" && mkdir -p "$WORK/lv2path" "$WORK/vst3path" "$WORK/hs" || exit 1
export JACK_NO_START_SERVER=1         # neither Ardour nor the tools may start a server of their own
export XDG_CONFIG_HOME="$WORK/config" # Ardour's per-user configuration: a fresh one, the user's untouched
export XDG_CACHE_HOME="$WORK/cache"   # and its plug-in scan cache
if [ $FORMAT = vst3 ]; then
  ln -s "$BUNDLE" "$WORK/vst3path/Pianola.vst3"
  export VST3_PATH="$WORK/vst3path"
  # Ardour lists a VST3 plug-in only once its scanner has cached it
  PIANOLA_JAVA_HOME=/nonexistent LD_LIBRARY_PATH=/usr/lib/ardour7 timeout 60 /usr/lib/ardour7/ardour-vst3-scanner -f "$WORK/vst3path/Pianola.vst3" \
    >"$WORK/scan.log" 2>&1 || die "Ardour's VST3 scanner failed on $BUNDLE: $(tail -1 "$WORK/scan.log")"
  grep -q "Found Plugin: Pianola" "$WORK/scan.log" || die "Ardour's VST3 scanner did not find Pianola: $(tail -1 "$WORK/scan.log")"
  say "Ardour's VST3 scanner found Pianola"
else
  ln -s "$BUNDLE" "$WORK/lv2path/pianola.lv2"
  export LV2_PATH="$WORK/lv2path"
fi

PIDS=()    # clients, stopped first
ARDOUR=""  # ardour7-lua
JACKD=""   # the server, stopped last (a killed jackd keeps its slot in JACK's 8-slot server registry)
show_logs() {
  for f in ardour.log jackd.log seq.log dump.err; do
    [ -s "$WORK/$f" ] && { echo "----- $f"; grep -v "XRun" "$WORK/$f" | tail -n 60; }
  done
}
stop_all() { # every process this script started, by pid: the clients, Ardour, then the server
  [ ${#PIDS[@]} -gt 0 ] && stop INT "${PIDS[@]}"
  PIDS=()
  [ -n "$ARDOUR" ] && stop TERM "$ARDOUR"
  ARDOUR=""
  [ -n "$JACKD" ] && stop TERM "$JACKD"
  JACKD=""
  wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
alive() { kill -0 "$1" 2>/dev/null; }
# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 50 ms, at most SECONDS; Ardour must live on
wait_for() {
  local limit="$1" what="$2"; shift 2
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || die "timed out after ${limit}s waiting for $what"
    [ -z "$ARDOUR" ] || alive "$ARDOUR" || die "ardour7-lua exited while waiting for $what"
    sleep 0.05
  done
}

# 0. how Ardour places the (LV2) plug-in on a stereo, a mono and a MIDI track (its dummy backend, no JACK)
mkdir -p "$WORK/tracks"
if [ $FORMAT = lv2 ]; then
  ARDOUR_TEST_WORK="$WORK/tracks" PIANOLA_VIRTUAL_PORT=off timeout 90 ardour7-lua "$HERE/ardour_tracks.lua" >"$WORK/ardour-tracks.log" 2>&1 \
    || die "ardour7-lua could not place the plug-in on its tracks (exit $?): $(grep -h 'FAIL' "$WORK/ardour-tracks.log" | head -1)"
  [ -s "$WORK/tracks/tracks" ] || die "ardour_tracks.lua wrote no result"
  say "tracks: $(tr '\n' ';' < "$WORK/tracks/tracks")"
fi

# 1. a private server, its name from this test's pool (reused slots; a live one is skipped)
DRIVER="-r $RATE -p 256"
start_jackd "$WORK/jackd.log" "-R -S -t 5000" pianola-ardour-1 pianola-ardour-2 || die "$(jackd_failure $? pianola-ardour-1..2)"
say "jackd up as $JACK_DEFAULT_SERVER"

# 2. Ardour: session, track, plug-in; it writes hs/ready when the track is there
ARDOUR_TEST_WORK="$WORK/hs" ARDOUR_TEST_ROLL_BEATS=$ROLL_BEATS ARDOUR_TEST_ROLL_LIMIT_SECONDS=$ROLL_LIMIT_SECONDS PIANOLA_NOTE_LOG="$WORK/notes" \
  timeout 120 stdbuf -oL -eL ardour7-lua "$HERE/ardour_test.lua" >"$WORK/ardour.log" 2>&1 &
ARDOUR=$!
wait_for 60 "Ardour's session and track (hs/ready)" test -f "$WORK/hs/ready"
IN_PORT="ardour:$(sed -n 's/^in=//p' "$WORK/hs/ready")"
OUT_PORT="ardour:$(sed -n 's/^out=//p' "$WORK/hs/ready" | tr ',' '\n' | grep midi_out)"
MIDI_INSTANCES="$(sed -n 's/^midi_track_instances=//p' "$WORK/hs/ready")"
has_port "$IN_PORT" || die "the track's MIDI input $IN_PORT is not a JACK port"
has_port "$OUT_PORT" || die "the track's MIDI output $OUT_PORT is not a JACK port"
say "Ardour's session is up: track input $IN_PORT, output $OUT_PORT"

# 3. the recorder on the track's MIDI output (-a: frames counted from its first cycle)
stdbuf -oL jack_midi_dump -a dump >"$WORK/dump.txt" 2>"$WORK/dump.err" &
PIDS+=($!)
wait_for 15 "port dump:input" has_port dump:input
connect "$OUT_PORT" dump:input || die "cannot connect $OUT_PORT to the recorder"
# the instance's virtual MIDI port (JACK client Pianola-1 in Ardour's process), recorded with the
# sequencer too, so that the phrase gives both recorders one frame base
wait_for 30 "the plug-in's virtual MIDI port Pianola-1:notes" has_port Pianola-1:notes
stdbuf -oL jack_midi_dump -a vdump >"$WORK/dump-virtual.txt" 2>"$WORK/dump-virtual.err" &
PIDS+=($!)
wait_for 15 "port vdump:input" has_port vdump:input
connect Pianola-1:notes vdump:input || die "cannot connect Pianola-1:notes to its recorder"
touch "$WORK/hs/connected"

# 4. once the transport rolls: the phrase, once (C D E F G, one beat apart, half a beat long, from
#    2 beats after the sequencer starts; its loop is 40 s, longer than the run)
wait_for 30 "the transport to roll (hs/rolling)" test -f "$WORK/hs/rolling"
jack_midiseq seq $((40 * RATE)) \
  $((2 * FPB)) 60 $((FPB / 2)) $((3 * FPB)) 62 $((FPB / 2)) $((4 * FPB)) 64 $((FPB / 2)) \
  $((5 * FPB)) 65 $((FPB / 2)) $((6 * FPB)) 67 $((FPB / 2)) >"$WORK/seq.log" 2>&1 &
SEQ=$!; PIDS+=($SEQ)
wait_for 10 "port seq:out" has_port seq:out
connect seq:out "$IN_PORT" || die "cannot connect seq:out to $IN_PORT"
connect seq:out vdump:input || die "cannot connect seq:out to the virtual port's recorder"
say "rolling; the phrase is on its way"
sleep 5
jack_disconnect seq:out "$IN_PORT"
jack_disconnect seq:out vdump:input

# 5. Ardour stops the transport after its roll, saves and closes the session, loads it again and exits
wait_for $((ROLL_LIMIT_SECONDS + 30)) "Ardour to stop the transport (hs/stopped)" test -f "$WORK/hs/stopped"
for _ in $(seq 300); do alive "$ARDOUR" || break; sleep 0.1; done
alive "$ARDOUR" && die "ardour7-lua did not exit within 30 s of the stop"
wait "$ARDOUR"; rc=$?; ARDOUR=""
[ $rc = 0 ] || die "ardour7-lua failed (exit code $rc$([ $rc = 124 ] && echo ': timed out'))"
say "Ardour stopped and exited"
stop_all
say "all stopped"
T_END=$(now)

# 6. the checks
python3 - "$WORK" "$MIDI_INSTANCES" "$T0" "$T_END" "$FORMAT" <<'PY'
import glob, math, os, re, sys
work, midi_instances = sys.argv[1], int(sys.argv[2])
t0, t_end = map(float, sys.argv[3:5])
fmt = sys.argv[5]
FPB, GRID = 24000, 24                # 120 BPM at 48 kHz; the Continuator's 1/24 beat
PHRASE = [60, 62, 64, 65, 67]
SILENCE, BAR, ANSWER_BARS = 2.0, 4, 2  # pianola.ttl defaults; the session's 4/4
passed, failed = [], []
def check(ok, what):
    (passed if ok else failed).append(what)
    print(("  ok    " if ok else "  FAIL  ") + what)

def is_on(m): return len(m) == 3 and m[0] & 0xF0 == 0x90 and m[2] > 0
def is_off(m): return len(m) == 3 and (m[0] & 0xF0 == 0x80 or (m[0] & 0xF0 == 0x90 and m[2] == 0))
evs = []
for line in open(f"{work}/dump.txt", errors="replace"):
    m = re.match(r"\s*(\d+):((?: [0-9a-f]{2})+)", line)
    if m: evs.append((int(m.group(1)), [int(b, 16) for b in m.group(2).split()]))
notes = [(f, m) for f, m in evs if is_on(m) or is_off(m)]   # Ardour also sends controller resets at start/stop

print("ardour_test: results")
ardour_log = open(f"{work}/ardour.log", errors="replace").read()
# LV2 lines come through Ardour's log (ERROR marks them); VST3 has no host log: the shim's own stderr lines
errors = [l for l in ardour_log.splitlines() if "pianola" in l.lower() and ("ERROR" in l or "status" in l
          or re.search(r"pianola: .*(no Java runtime|cannot|could not|failed|exception)", l, re.I))]
check(not errors, "the plug-in logs no error in Ardour" + (f": {errors[0].strip()}" if errors else ""))
check("JACK HALTED" not in ardour_log, "jackd kept Ardour's client (no \"JACK HALTED\": jackd 1.9.21 drops Ardour 7.3 now and then)")
check(midi_instances == 1, f"Ardour runs one instance of the plug-in on the MIDI track ({midi_instances})")
if fmt == "lv2":
    # name instances audio_outputs midi_outputs, from ardour_tracks.lua (dummy backend, strict I/O)
    tracks = {p[0]: tuple(map(int, p[1:])) for p in (l.split() for l in open(f"{work}/tracks/tracks")) if len(p) == 4}
    check(tracks.get("stereo", (0,))[0] == 1, f"one instance on a stereo audio track, both channels in it (instances, audio outs, MIDI outs: {tracks.get('stereo')})")
    check(tracks.get("mono", (0,))[0] == 1, f"one instance on a mono audio track ({tracks.get('mono')})")
    check(tracks.get("midi", (0,))[0] == 1, f"one instance on a MIDI track ({tracks.get('midi')})")
state = open(f"{work}/hs/state").read().strip() if os.path.exists(f"{work}/hs/state") else "(no hs/state)"
check(state == "Velocity Scale=0.75", f"the session saved and loaded again: the control changed before the roll is back ({state})")

ons = [(f, m[1]) for f, m in notes if is_on(m)][:5]
ok = [k for _, k in ons] == PHRASE and all(b[0] - a[0] == FPB for a, b in zip(ons, ons[1:]))
check(ok, f"the phrase comes out of the track, keys {PHRASE}, note-ons exactly {FPB} frames apart (at {[f for f, _ in ons]})")
offs = [next((g for g, m in notes if g > f and is_off(m) and m[1] == k), None) for f, k in ons]
check(ok and all(o is not None and o - f == FPB // 2 for o, (f, _) in zip(offs, ons)),
      f"each phrase note ends exactly {FPB // 2} frames after it starts")

log = []
for path in sorted(glob.glob(f"{work}/notes.*")):  # one file per instance
    lines = [l.split() for l in open(path)]
    log += [(float(p[0]), int(p[1]), int(p[2]), int(p[3])) for p in lines if len(p) == 5]
ans_log = [(b, k) for b, s, k, v in log if s & 0xF0 == 0x90 and v > 0]
last_phrase = max(offs) if offs and None not in offs else None
ans_out = [(f, k) for f, k in [(f, m[1]) for f, m in notes if is_on(m)] if last_phrase is not None and f > last_phrase]
check(len(ans_log) >= 3, f"Java sent an answer ({len(ans_log)} note-ons)")
check(len(ans_out) == len(ans_log) and [k for _, k in ans_out] == [k for _, k in ans_log],
      f"every note-on Java sent came out of the track, same keys in the same order ({len(ans_out)} of {len(ans_log)})")
if failed:
    sys.exit(1)

def frames(beat): return math.ceil(beat * FPB - 1e-4)
start = ans_out[0][0] - frames(ans_log[0][0])  # Ardour's transport sample 0, in the recorder's frames
exact = [f == start + frames(b) for (f, _), (b, _) in zip(ans_out, ans_log)]
check(all(exact), f"every answer note-on on the exact frame of its beat: frame = start + ceil(beat * {FPB}) "
                  f"({sum(exact)} of {len(exact)}; start {start})")
on_grid = [abs(b * GRID - round(b * GRID)) < 1e-6 for b, _ in ans_log]
check(all(on_grid), f"every answer beat on the 1/{GRID}-beat grid")
release = (last_phrase - start) / FPB
end = release + SILENCE
bar = math.floor(end / BAR + 1e-9) * BAR + BAR  # the first bar line strictly after the end
first = ans_log[0][0]
# An answer not ready by its bar line moves to the next one (LiveSession's rule for late answers).
# On a loaded machine that happens when the silence ends less than a beat before the bar line
# (the phrase's place against the bar depends on when the sequencer started): accepted then, said so.
if bar - end < 1 and bar + BAR - 1e-9 <= first < bar + BAR + 1:
    print(f"  note  the silence ended {bar - end:.3f} beats before bar line {bar:g}: the answer came after it and moved "
          f"to the next bar line, {bar + BAR:g}, as the session moves a late answer")
    bar += BAR
check(bar - 1e-9 <= first < bar + 1,
      f"the answer starts in the first beat of the first bar line after release {release:.4f} + silence {SILENCE:g} "
      f"= {end:.4f}: beat {bar} (first note-on at beat {first:.4f})")
check(all(b < bar + ANSWER_BARS * BAR - 1e-9 for b, _ in ans_log), f"the answer lasts at most {ANSWER_BARS} bars (to beat {bar + ANSWER_BARS * BAR})")
check(not [1 for f, k in ans_out if f < start + bar * FPB], "nothing answers before the bar line")
sounding = {}
for f, m in notes:
    if is_on(m): sounding[m[1]] = sounding.get(m[1], 0) + 1
    elif sounding.get(m[1], 0) > 0: sounding[m[1]] -= 1
check(sum(sounding.values()) == 0, f"no note left hanging after the stop ({sum(sounding.values())})")

# the virtual port: after the phrase (which its recorder heard from the sequencer) the same notes as
# the track's output, in order, each whole periods later
vevs = []
for line in open(f"{work}/dump-virtual.txt", errors="replace"):
    m = re.match(r"\s*(\d+):((?: [0-9a-f]{2})+)", line)
    if m: vevs.append((int(m.group(1)), [int(b, 16) for b in m.group(2).split()]))
vnotes = [(f, m) for f, m in vevs if is_on(m) or is_off(m)]
vons = [(f, m[1]) for f, m in vnotes if is_on(m)]
if len(vons) >= 5 and [k for _, k in vons[:5]] == PHRASE and len(ons) == 5:
    base = ons[0][0] - vons[0][0]
    vend = next(g for g, m in vnotes if g > vons[4][0] and is_off(m) and m[1] == PHRASE[-1]) + base
    tend = next(g for g, m in notes if g > ons[4][0] and is_off(m) and m[1] == PHRASE[-1])
    v_after = [(f + base, m) for f, m in vnotes if f + base > vend]
    t_after = [(f, m) for f, m in notes if f > tend]
    check([m for _, m in v_after] == [m for _, m in t_after],
          f"virtual port Pianola-1:notes: the same {len(t_after)} note messages as the track's answer, in order (got {len(v_after)})")
    lags = sorted({vf - f for (vf, _), (f, _) in zip(v_after, t_after)})
    # one host block a JACK cycle, at its place in the block: whole periods behind the plug-in (one
    # while Java keeps up); Ardour's track output itself can be a period behind the plug-in, so 0-4
    check(bool(lags) and all(l % 256 == 0 and 0 <= l <= 4 * 256 for l in lags),
          f"virtual port: every message 0-4 whole periods after the track's, at its own frame in the period (lags {lags})")
else:
    check(False, f"virtual port recorder heard the phrase from the sequencer ({[k for _, k in vons[:5]]})")

xruns = open(f"{work}/jackd.log", errors="replace").read().count("XRun")
print(f"ardour_test: phrase note-ons at beats {[round((f - start) / FPB, 4) for f, _ in ons]}, last release at beat {release:.4f}")
print(f"ardour_test: answer of {len(ans_log)} note-ons from beat {first:g} (bar line {bar}; margin {bar - end:.3f} beats after the silence)")
print("ardour_test: answer note-ons (beat -> frame - start):", ", ".join(f"{b:g}->{f - start}" for (f, _), (b, _) in zip(ans_out, ans_log)))
print(f"ardour_test: jackd reported {xruns} late cycles; {len(passed)} passed, {len(failed)} failed ({t_end - t0:.1f} s)")
sys.exit(1 if failed else 0)
PY
rc=$?
[ $rc = 0 ] || { retry_if_halted; show_logs; }
exit $rc

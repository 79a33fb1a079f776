#!/usr/bin/env bash
# The assembled plug-in in a real JACK host: jalv on a private `jackd -d dummy` (48 kHz, 256-frame
# periods). JACK transport rolls at 120 BPM (jack_transport as timebase master, so jalv sends
# time:Position with BBT), jack_midiseq plays a five-note phrase into the plug-in once, and
# jack_midi_dump -a records the plug-in's MIDI out. Checks:
#   - the player's notes come out unchanged (thru), on their frames (1 beat apart, half a beat long);
#   - an answer arrives, starting exactly on the first bar line after the phrase's last release plus
#     the default silence (silence_beats 2, pianola.ttl), lasting at most answer_bars (2) bars;
#   - every answer note-on is on the exact frame of the beat Java sent (PIANOLA_NOTE_LOG):
#     frame = start + ceil(beat * 24000), one transport start frame for all of them, which is a
#     period boundary (the transport starts on a cycle) and agrees with the wall clock;
#   - those beats are on the Continuator's grid (1/24 beat = 1000 frames here);
#   - the instance's virtual MIDI port (JACK client Pianola-N, port notes) carries the same answer:
#     the same note-ons and releases, none of the player's thru, all whole periods (0-4) after
#     midi_out, each at its own frame within the period; its recorder also hears the sequencer, for a common frame base;
#   - failure containment, in the same run: a second jalv with PIANOLA_JAVA_HOME=/nonexistent runs,
#     logs that Java is unavailable (status 2) and passes the phrase through, frame for frame.
#   tests/native/jalv_test.sh BUNDLE_DIR [WORK_DIR]
# Exit 0 when all checks pass; on failure the logs of jackd and both jalvs are printed.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/jack_lib.sh"

BUNDLE="$(readlink -f "${1:?usage: jalv_test.sh BUNDLE_DIR [WORK_DIR]}")"
WORK="${2:-$(mktemp -d)}"
URI=https://pianola.dev/plugins/pianola
RATE=48000
BPM=120
FPB=$((RATE * 60 / BPM)) # frames per beat: 24000

say() { echo "jalv_test: $*"; }
die() { say "FAIL: $*"; show_logs; exit 1; }
for tool in jackd jalv jack_wait jack_lsp jack_connect jack_disconnect jack_midiseq jack_midi_dump jack_transport python3; do
  command -v "$tool" >/dev/null 2>&1 || { say "FAIL: $tool not found (scripts/setup installs jalv and jackd2)"; exit 1; }
done
[ -f "$BUNDLE/pianola.so" ] && [ -f "$BUNDLE/pianola.jar" ] || { say "FAIL: no assembled bundle at $BUNDLE"; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK/lv2path" || exit 1
ln -s "$BUNDLE" "$WORK/lv2path/pianola.lv2"
export LV2_PATH="$WORK/lv2path"
export JACK_NO_START_SERVER=1 # clients must not start a server of their own

PIDS=()    # clients, stopped first
JACKD=""   # the server, stopped last and gently: a jackd that is killed keeps its slot in JACK's
           # server registry (8 slots per machine; JACK reclaims a dead one only for the same name)
show_logs() {
  for f in jackd.log jalv.log jalv-nojava.log transport.log seq.log; do
    [ -s "$WORK/$f" ] && { echo "----- $f"; tail -n 60 "$WORK/$f"; }
  done
}
stop_all() { # every process this script started, by pid: the clients, then the server
  exec 7>&- 2>/dev/null
  [ ${#PIDS[@]} -gt 0 ] && stop TERM "${PIDS[@]}"
  PIDS=()
  [ -n "$JACKD" ] && stop TERM "$JACKD"
  JACKD=""
  wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 50 ms, at most SECONDS
wait_for() {
  local limit="$1" what="$2"; shift 2
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.05
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
T0=$(now)

# 1. a private server. Names come from a small pool, not the pid: a name in use by a live
#    server (a concurrent run) is skipped; a dead one of the same name gets its slot back.
DRIVER="-r $RATE -p 256"
start_jackd "$WORK/jackd.log" "-R -S -t 5000" pianola-jalv-1 pianola-jalv-2 pianola-jalv-3 pianola-jalv-4 \
  || die "$(jackd_failure $? pianola-jalv-1..4)"
say "jackd up as $JACK_DEFAULT_SERVER"

# 2. the plug-in under test (Java found the usual way) and the same without Java
PIANOLA_NOTE_LOG="$WORK/notes" stdbuf -oL -eL jalv -i -x -n pianola "$URI" >"$WORK/jalv.log" 2>&1 &
JALV=$!; PIDS+=($JALV)
PIANOLA_JAVA_HOME=/nonexistent stdbuf -oL -eL jalv -i -x -n pianola-nojava "$URI" >"$WORK/jalv-nojava.log" 2>&1 &
JALV2=$!; PIDS+=($JALV2)
for p in pianola:events_in pianola:midi_out pianola-nojava:events_in pianola-nojava:midi_out; do
  wait_for 30 "port $p" has_port "$p"
done
wait_for 60 "the JVM to start in jalv" grep -q "started the JVM" "$WORK/jalv.log"
wait_for 30 "the instance's virtual MIDI port" grep -q "virtual MIDI port Pianola-" "$WORK/jalv.log"
VPORT="$(grep -o "virtual MIDI port Pianola-[0-9]*:notes" "$WORK/jalv.log" | head -1 | sed 's/virtual MIDI port //')"
has_port "$VPORT" || die "the virtual port $VPORT the log names is not in JACK"

# 3. the recorders (-a: frames counted from the recorder's first cycle, so cycle starts are
#    multiples of 256 in its time base)
T_DUMP_A=$(now) # the recorder's frame 0 falls between these two
stdbuf -oL jack_midi_dump -a dump >"$WORK/dump.txt" 2>"$WORK/dump.err" &
PIDS+=($!)
wait_for 15 "port dump:input" has_port dump:input
T_DUMP_B=$(now)
stdbuf -oL jack_midi_dump -a dumpnojava >"$WORK/dump-nojava.txt" 2>"$WORK/dump-nojava.err" &
PIDS+=($!)
wait_for 15 "port dumpnojava:input" has_port dumpnojava:input
connect pianola:midi_out dump:input || die "cannot connect pianola:midi_out"
stdbuf -oL jack_midi_dump -a vdump >"$WORK/dump-virtual.txt" 2>"$WORK/dump-virtual.err" &
PIDS+=($!)
wait_for 15 "port vdump:input" has_port vdump:input
connect "$VPORT" vdump:input || die "cannot connect $VPORT"
connect pianola-nojava:midi_out dumpnojava:input || die "cannot connect pianola-nojava:midi_out"

# 4. transport: timebase master at 120 BPM (4/4), from frame 0
mkfifo "$WORK/transport.fifo"
jack_transport <"$WORK/transport.fifo" >"$WORK/transport.log" 2>&1 &
PIDS+=($!)
exec 7>"$WORK/transport.fifo"
printf 'master\ntempo %s\nlocate 0\n' $BPM >&7
sleep 0.3
echo play >&7
T_PLAY=$(now)

# 5. the phrase, once: C D E F G, one beat apart, half a beat long, from 2 beats after the
#    sequencer starts (time to connect it); its loop is 40 s, longer than the run, so it plays once.
#    Started so that the phrase's end plus the silence falls about mid-bar (the answer's bar line
#    is then about 2 beats away: a scheduling margin, not a requirement of the checks).
sleep "$(python3 -c "import sys; print(max(0.0, 2.6 - ($(now) - $T_PLAY)))")"
jack_midiseq seq $((40 * RATE)) \
  $((2 * FPB)) 60 $((FPB / 2)) $((3 * FPB)) 62 $((FPB / 2)) $((4 * FPB)) 64 $((FPB / 2)) \
  $((5 * FPB)) 65 $((FPB / 2)) $((6 * FPB)) 67 $((FPB / 2)) >"$WORK/seq.log" 2>&1 &
SEQ=$!; PIDS+=($SEQ)
wait_for 10 "port seq:out" has_port seq:out
connect seq:out pianola:events_in || die "cannot connect seq:out"
connect seq:out pianola-nojava:events_in || die "cannot connect seq:out to the second jalv"
connect seq:out vdump:input || die "cannot connect seq:out to the virtual port's recorder"

# 6. roll: the phrase ends about 8 s after play; its answer (2 bars = 4 s) starts on a bar line
#    within 2 s of that. Roll to 20 s after play, disconnecting the sequencer after its phrase.
sleep 6
jack_disconnect seq:out pianola:events_in
jack_disconnect seq:out pianola-nojava:events_in
jack_disconnect seq:out vdump:input
sleep "$(python3 -c "print(max(0.0, 20.0 - ($(now) - $T_PLAY)))")"
alive $JALV || die "jalv exited while rolling"
alive $JALV2 || die "jalv without Java exited while rolling"
echo stop >&7
sleep 0.5
alive $JALV || die "jalv exited at stop"
echo quit >&7
# jalv deactivates and cleans up on SIGINT (closes the Java side and the note log)
kill -INT $JALV $JALV2
for _ in $(seq 100); do alive $JALV || alive $JALV2 || break; sleep 0.1; done
alive $JALV && die "jalv did not exit within 10 s of SIGINT"
stop_all
T_END=$(now)

# 7. the checks
python3 - "$WORK" "$T_DUMP_A" "$T_DUMP_B" "$T_PLAY" "$T0" "$T_END" <<'PY'
import glob, math, re, sys
work, t_dump_a, t_dump_b, t_play, t0, t_end = sys.argv[1], *map(float, sys.argv[2:])
RATE, FPB, PERIOD, GRID = 48000, 24000, 256, 24   # grid: the Continuator's 1/24 beat
PHRASE = [60, 62, 64, 65, 67]
SILENCE, BAR, ANSWER_BARS = 2.0, 4, 2               # pianola.ttl defaults; jack_transport 4/4
passed, failed = [], []
def check(ok, what):
    (passed if ok else failed).append(what)
    print(("  ok    " if ok else "  FAIL  ") + what)

def dump(path):
    evs = []
    for line in open(path, errors="replace"):
        m = re.match(r"\s*(\d+):((?: [0-9a-f]{2})+)", line)
        if m: evs.append((int(m.group(1)), [int(b, 16) for b in m.group(2).split()]))
    return evs
def is_on(m): return len(m) == 3 and m[0] & 0xF0 == 0x90 and m[2] > 0
def is_off(m): return len(m) == 3 and (m[0] & 0xF0 == 0x80 or (m[0] & 0xF0 == 0x90 and m[2] == 0))

def phrase_check(evs, who):
    """The first five note-ons are the phrase, thru: keys, 1 beat apart, each released half a beat later."""
    ons = [(f, m[1]) for f, m in evs if is_on(m)][:5]
    ok = [k for _, k in ons] == PHRASE and all(b[0] - a[0] == FPB for a, b in zip(ons, ons[1:]))
    check(ok, f"{who}: the phrase comes through, keys {PHRASE}, note-ons exactly {FPB} frames apart "
              f"(at {[f for f, _ in ons]})")
    offs = []
    for f, k in ons:
        off = next((g for g, m in evs if g > f and is_off(m) and m[1] == k), None)
        offs.append(off)
    check(ok and all(o is not None and o - f == FPB // 2 for o, (f, _) in zip(offs, ons)),
          f"{who}: each phrase note ends exactly {FPB // 2} frames after it starts")
    return ons, offs

print("jalv_test: results")
evs = dump(f"{work}/dump.txt")
ons, offs = phrase_check(evs, "thru")
logs = glob.glob(f"{work}/notes.*")
log = []
if logs:
    for line in open(logs[0]):
        p = line.split()
        if len(p) == 5: log.append((float(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4])))
check(len(logs) == 1, f"one note log from the Java side ({len(logs)})")
ans_log = [(b, k) for b, s, k, v, e in log if s & 0xF0 == 0x90 and v > 0]
last_phrase = max(offs) if offs and None not in offs else None
ans_dump = [(f, m[1]) for f, m in evs if is_on(m) and last_phrase is not None and f > last_phrase]
check(len(ans_log) >= 3, f"Java sent an answer ({len(ans_log)} note-ons)")
check(len(ans_dump) == len(ans_log), f"every note-on Java sent arrived on midi_out ({len(ans_dump)} of {len(ans_log)})")
if failed:
    sys.exit(1)

# the transport start frame, in the recorder's frames: from the first answer note, then every
# other note must agree with it exactly
def frames(beat): return math.ceil(beat * FPB - 1e-4)
start = ans_dump[0][0] - frames(ans_log[0][0])
lo, hi = (t_play - t_dump_b) * RATE, (t_play - t_dump_a) * RATE   # the wall clock's bracket
exact = [(f, k) == (start + frames(b), kb) for (f, k), (b, kb) in zip(ans_dump, ans_log)]
check(all(exact), f"every answer note-on on the exact frame of its beat: frame = start + ceil(beat * {FPB}) "
                  f"({sum(exact)} of {len(exact)})")
check(start % PERIOD == 0, f"transport start frame {start} is a period boundary ({start} mod {PERIOD} = {start % PERIOD})")
# coarse: a loaded machine's late cycles make frames lag the wall clock; this catches a start
# taken from the wrong clock (the plug-in's own frame count, say), which is off by seconds
check(lo - FPB <= start <= hi + FPB, f"transport start frame {start} agrees with the wall clock "
                                     f"({lo:.0f}..{hi:.0f}, give or take a beat)")
on_grid = [abs(b * GRID - round(b * GRID)) < 1e-6 and (f - start) % (FPB // GRID) == 0 for (f, _), (b, _) in zip(ans_dump, ans_log)]
check(all(on_grid), f"every answer note-on on the 1/{GRID}-beat grid: beat*{GRID} whole, frame - start a multiple of {FPB // GRID}")

release = (last_phrase - start) / FPB
end = release + SILENCE
bar = math.floor(end / BAR + 1e-9) * BAR + BAR           # the first bar line strictly after the end
first = ans_log[0][0]
# An answer not ready by its bar line moves to the next one (LiveSession's rule for late answers).
# On a loaded machine that happens when the silence ends less than a beat before the bar line
# (the phrase's place against the bar depends on when the sequencer started): accepted then, said so.
if bar - end < 1 and bar + BAR - 1e-9 <= first < bar + BAR + 1:
    print(f"  note  the silence ended {bar - end:.3f} beats before bar line {bar:g}: the answer came after it and moved "
          f"to the next bar line, {bar + BAR:g}, as the session moves a late answer")
    bar += BAR
# The Continuator keeps the phrase's place in the beat (this phrase moves in whole beats, a
# fraction of a beat off the grid), so the answer's first onset is the first grid step at or after
# the bar line that matches it: within the bar line's beat. A late answer would move a whole bar.
check(bar - 1e-9 <= first < bar + 1 and ans_dump[0][0] >= start + bar * FPB,
      f"the answer starts in the first beat of the first bar line after release {release:.4f} + silence {SILENCE:g} "
      f"= {end:.4f}: beat {bar} = frame {start + bar * FPB} (first note-on at beat {first:.4f}, frame {ans_dump[0][0]})")
check(all(b < bar + ANSWER_BARS * BAR - 1e-9 for b, _ in ans_log), f"the answer lasts at most {ANSWER_BARS} bars (to beat {bar + ANSWER_BARS * BAR})")
check(all(f > last_phrase for f, _ in ans_dump) and not [1 for f, m in evs if is_on(m) and offs[-1] < f < start + bar * FPB],
      "nothing answers before the bar line")
sounding = {}
for f, m in evs:
    if is_on(m): sounding[m[1]] = sounding.get(m[1], 0) + 1
    elif is_off(m) and sounding.get(m[1], 0) > 0: sounding[m[1]] -= 1
check(sum(sounding.values()) == 0, f"no note left hanging after the stop ({sum(sounding.values())})")

# the virtual port: its recorder also heard the sequencer, so the phrase gives the two recorders'
# common frame base; after the phrase it holds only the port's messages
vevs = dump(f"{work}/dump-virtual.txt")
vons = [(f, m[1]) for f, m in vevs if is_on(m)]
check(len(vons) >= 5 and [k for _, k in vons[:5]] == PHRASE, "virtual port recorder: heard the phrase from the sequencer (common frame base)")
if len(vons) >= 5:
    base = ons[0][0] - vons[0][0]
    vphrase_end = next(g for g, m in vevs if g > vons[4][0] and is_off(m) and m[1] == PHRASE[-1]) + base
    v_after = [(f + base, m) for f, m in vevs if f + base > vphrase_end]
    a_after = [(f, m) for f, m in evs if f > last_phrase]
    check([m for _, m in v_after] == [m for _, m in a_after],
          f"virtual port: the same {len(a_after)} messages as midi_out's answer, in order (got {len(v_after)})")
    lags = sorted({vf - f for (vf, _), (f, _) in zip(v_after, a_after)})
    # one host block a JACK cycle, at its place in the block: whole periods behind (one while Java keeps
    # up; none when JACK ran the port's client after jalv's in the same cycle and Java was that quick)
    check(bool(lags) and all(l % PERIOD == 0 and 0 <= l <= 4 * PERIOD for l in lags),
          f"virtual port: every message 0-4 whole periods after midi_out's, at its own frame in the period (lags {lags})")
    print(f"jalv_test: virtual port {len(v_after)} messages, {lags} frames after midi_out")

nevs = dump(f"{work}/dump-nojava.txt")
nons, noffs = phrase_check(nevs, "no Java")
check(len([1 for f, m in nevs if is_on(m)]) == 5, "no Java: nothing but the phrase on midi_out")
jl = open(f"{work}/jalv-nojava.log", errors="replace").read()
check("no Java runtime" in jl and "MIDI thru only" in jl, "no Java: the plug-in says so in jalv's log (status 2: Java unavailable)")
if ons and nons:
    check([f - ons[0][0] for f, _ in ons] == [f - nons[0][0] for f, _ in nons], "no Java: the phrase's frames match the Java instance's thru")

xruns = open(f"{work}/jackd.log", errors="replace").read().count("XRun")
print(f"jalv_test: transport start frame {start} (recorder frames; wall clock said {lo:.0f}..{hi:.0f}); jackd reported {xruns} late cycles")
print(f"jalv_test: phrase note-ons at beats {[round((f - start) / FPB, 4) for f, _ in ons]}, last release at beat {release:.4f}")
print(f"jalv_test: answer of {len(ans_log)} note-ons from beat {first:g} (bar line {bar}; margin {bar - end:.3f} beats after the silence)")
print("jalv_test: answer note-ons (beat -> frame - start):",
      ", ".join(f"{b:g}->{f - start}" for (f, _), (b, _) in zip(ans_dump, ans_log)))
print(f"jalv_test: {len(passed)} passed, {len(failed)} failed ({t_end - t0:.1f} s)")
sys.exit(1 if failed else 0)
PY
rc=$?
[ $rc = 0 ] || show_logs
exit $rc

"""The VST3 plug-in in a second, independent host: minihost (a headless JUCE-based VST3 host from
PyPI, used only by this test; the product does not depend on it). Run by native-shim's Makefile
(jvm-check) on the assembled bundle, with PIANOLA_NOTE_LOG set so the beats Java sent are known.

What it checks, as a DAW would drive the plug-in (transport set before every block, MIDI in at
sample offsets, the host in offline mode so the plug-in waits for Java as in a bounce):
  - it loads, shows the table's 14 parameters with their texts, reports latency 0;
  - the Java side comes up (the Status parameter reads OK);
  - 120 BPM: a phrase on beats 0-4 is answered from the bar line at beat 8, every note-on on the
    exact sample offset of the beat Java sent; the answer lasts the 2 bars asked;
  - 90 BPM (a tempo change): the next phrase is answered on its bar line, exact offsets again;
  - parameter automation: Answer Length 1 bar, then answers of one bar;
  - state: saved, changed, restored (the saved Answer Length comes back).
usage: python vst3_host_test.py BUNDLE.vst3 NOTE_LOG_PREFIX
"""

import math
import os
import sys
import time

import minihost
import numpy as np

RATE = 48000
BLOCK = 256
PLAYER = 0x91  # note-on on channel 2; answers come on channel 1

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL vst3_host_test: {what}", file=sys.stderr)


def main():
    bundle, note_log = sys.argv[1], sys.argv[2]
    p = minihost.Plugin(bundle, sample_rate=RATE, max_block_size=BLOCK, in_channels=2, out_channels=2)
    names = [p.get_param_info(i)["name"] for i in range(p.num_params)]
    check(p.num_params == 14, f"14 parameters shown ({p.num_params}: {names})")
    idx = {n: i for i, n in enumerate(names)}
    check(p.latency_samples == 0, f"latency 0 reported ({p.latency_samples})")
    check(p.accepts_midi and p.produces_midi, "MIDI in and out")
    check(p.param_to_text(idx["Engine"], 1 / 3) == "REMI (GPT-2)", f"engine text ({p.param_to_text(idx['Engine'], 1 / 3)})")
    status = idx["Status"]

    frames = 0
    inp = np.zeros((2, BLOCK), dtype=np.float32)
    out = np.zeros((2, BLOCK), dtype=np.float32)
    bad_audio = 0
    sent = []  # (absolute frame, status, key, velocity)

    def block(bpm, beat_at_start, midi=(), playing=True, position=None):
        nonlocal frames, bad_audio
        ramp = ((np.arange(frames, frames + BLOCK) % 977) / 977.0 - 0.5).astype(np.float32)
        inp[0, :] = ramp
        inp[1, :] = -ramp
        p.set_transport(bpm=bpm, time_sig_num=4, time_sig_denom=4, position_samples=frames if position is None else position,
                        position_beats=beat_at_start, is_playing=playing)
        events = p.process_midi(inp, out, list(midi), 1024)
        bad_audio += int(np.count_nonzero(out != inp))
        for (offset, st, d1, d2) in events:
            sent.append((frames + offset, st, d1, d2))
        frames += BLOCK

    # the Java side starts in the background; the host keeps calling process meanwhile
    t0 = time.time()
    while time.time() - t0 < 60:
        block(120, 0, playing=False, position=0)  # stopped: the host's position stays
        if p.param_to_text(status, p.get_param(status)) != "Starting":
            break
        time.sleep(0.002)
    check(p.param_to_text(status, p.get_param(status)) == "OK", f"status OK after {time.time() - t0:.1f} s ({p.param_to_text(status, p.get_param(status))})")
    p.set_param(idx["Listen To"], 0.5)  # MIDI only: the test ramp on the audio input is not to be covered
    # offline: process waits for Java (the bounce path); JUCE passes the mode on when it prepares
    p.non_realtime = True
    p.sample_rate = RATE

    def song(start_frame, start_beat, bpm, phrase_beat, until_beat):
        """Blocks from start_frame (beat start_beat at bpm) to until_beat; a 5-note phrase from phrase_beat."""
        fpb = 60.0 * RATE / bpm

        def frame_of(beat):
            return start_frame + math.ceil((beat - start_beat) * fpb - 1e-4)

        notes = []
        for i, key in enumerate((60, 62, 64, 65, 67)):
            notes.append((frame_of(phrase_beat + i), 0x91, key, 100))
            notes.append((frame_of(phrase_beat + i + 0.5), 0x81, key, 0))
        while frames < frame_of(until_beat):
            beat = start_beat + (frames - start_frame) / fpb
            midi = [(f - frames, s, k, v) for (f, s, k, v) in notes if frames <= f < frames + BLOCK]
            block(bpm, beat, midi)
        return frame_of

    def logged():
        out_ = []
        path = f"{note_log}.1"
        if os.path.exists(path):
            for line in open(path):
                beat, st, key, vel, epoch = line.split()
                out_.append((float(beat), int(st), int(key)))
        return out_

    def answer_ons(a, b):
        return [(f, k) for (f, s, k, v) in sent if a <= f < b and (s & 0xF0) == 0x90 and (s & 0x0F) == 0 and v > 0]

    def off_grid(ons, frame_of):
        beats = logged()
        bad = 0
        for (f, k) in ons:
            if not any((s & 0xF0) == 0x90 and key == k and frame_of(beat) == f for (beat, s, key) in beats):
                bad += 1
        return bad

    # 1. 120 BPM from beat 0 at the next block
    start = frames
    f120 = song(start, 0.0, 120, 0, 20)
    ons = answer_ons(start, f120(20))
    check(len(ons) >= 3, f"120 BPM: an answer came ({len(ons)} note-ons)")
    check(ons and ons[0][0] == f120(8), f"120 BPM: it starts on the bar line, beat 8 = frame {f120(8) - start} (got {ons[0][0] - start if ons else None})")
    check(not answer_ons(f120(16), f120(20)), "120 BPM: the answer lasts 2 bars")
    check(off_grid(ons, f120) == 0, f"120 BPM: every note-on on the exact sample of its beat ({off_grid(ons, f120)} not)")

    # 2. 90 BPM from beat 20 (a tempo change at a block boundary): phrase on 24-28, answer from 32
    change = frames
    change_beat = 20.0 + (change - f120(20)) / (60.0 * RATE / 120)
    f90 = song(change, change_beat, 90, 24, 42)
    ons = answer_ons(change, f90(42))
    check(len(ons) >= 3 and ons[0][0] == f90(32), f"90 BPM: the answer starts on beat 32 ({len(ons)} notes, first at {ons[0][0] if ons else None}, want {f90(32)})")
    check(off_grid(ons, f90) == 0, f"90 BPM: every note-on on the exact sample of its beat ({off_grid(ons, f90)} not)")

    # 3. automation: Answer Length 1 bar; a phrase on 44-48 is answered on 52-56 only
    bars = idx["Answer Length"]
    p.set_param(bars, 0.0)  # normalized 0 = 1 bar
    check(p.param_to_text(bars, p.get_param(bars)) == "1 bar", f"Answer Length reads '1 bar' ({p.param_to_text(bars, p.get_param(bars))})")
    f90b = song(change, change_beat, 90, 44, 64)
    ons = answer_ons(f90b(52), f90b(56))
    check(len(ons) >= 1 and not answer_ons(f90b(56), f90b(64)), f"automation: a one-bar answer ({len(ons)} notes in it, {len(answer_ons(f90b(56), f90b(64)))} after)")

    # 4. state: saved with 1 bar, changed to 4 bars, restored
    state = p.get_state()
    p.set_param(bars, 3 / 15)  # 4 bars
    check(p.param_to_text(bars, p.get_param(bars)) == "4 bars", f"Answer Length changed to 4 bars ({p.param_to_text(bars, p.get_param(bars))})")
    p.set_state(state)
    check(p.param_to_text(bars, p.get_param(bars)) == "1 bar", f"state restores 1 bar ({p.param_to_text(bars, p.get_param(bars))})")
    check(bad_audio == 0, f"audio passed bit for bit ({bad_audio} samples differ)")
    p.close()
    print(f"vst3_host_test: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())

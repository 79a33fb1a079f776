#!/usr/bin/env python3
"""Writes examples/demo.mid: "Lantern Street", a short original song made for Pianola's examples.

A minor, 108 BPM, 4/4, 11 bars (about 24 s):
  bars 1-2   intro    Am | F            drums, bass, electric piano; melody pickup at the end
  bars 3-6   verse    Am | F | C | G    melody phrase A (question, ends open on G)
  bars 7-10  lift     F | G | E7 | Am   melody phrase B (higher, answers, cadence E7 -> Am); strings join
  bar  11    ending   Am                one held chord, crash, melody holds the tonic

Channels: 1 lead melody (square lead), 2 bass (fingered), 3 chords (electric piano),
4 pad (strings), 10 drums. Nothing is random: the same file comes out every time.

Usage: make_example.py [output.mid]   (pinned: mido==1.3.3)
"""
import sys
from pathlib import Path

import mido

PPQ = 480
BPM = 108
BAR = 4  # beats per bar

MELODY, BASS, CHORDS, PAD, DRUMS = 0, 1, 2, 3, 9
PROGRAMS = {MELODY: 80, BASS: 33, CHORDS: 4, PAD: 48}  # GM: Lead 1 (square), Fingered Bass, E.Piano 1, Strings
NAMES = {MELODY: "Lead", BASS: "Bass", CHORDS: "Electric piano", PAD: "Strings", DRUMS: "Drums"}
MIX = {  # channel: (volume, pan, reverb send)
    MELODY: (96, 64, 45), BASS: (108, 64, 10), CHORDS: (84, 48, 50), PAD: (64, 84, 70), DRUMS: (100, 64, 25)}

# --- harmony: one chord per bar -------------------------------------------------------------
A1, C2, E1, F1, G1 = 33, 36, 28, 29, 31
CHORDS_BY_BAR = [  # (bass root, electric-piano voicing, pad voicing)
    (A1, [57, 60, 64], [45, 52, 57]),       # Am
    (F1, [57, 60, 65], [41, 48, 57]),       # F
    (A1, [57, 60, 64], [45, 52, 57]),       # Am
    (F1, [57, 60, 65], [41, 48, 57]),       # F
    (C2, [55, 60, 64], [48, 55, 60]),       # C
    (G1, [55, 59, 62], [43, 50, 59]),       # G
    (F1, [57, 60, 65], [41, 48, 57]),       # F
    (G1, [55, 59, 62], [43, 50, 59]),       # G
    (E1, [56, 59, 62, 64], [40, 47, 56]),   # E7
    (A1, [57, 60, 64], [45, 52, 57]),       # Am
    (A1, [57, 60, 64, 69], [45, 52, 57]),   # Am (ending)
]

# --- melody: (bar, beat in bar, length in beats, pitch) ----------------------------------------
E4, G4, GS4, A4, B4, C5, D5, E5, F5, G5, A5 = 64, 67, 68, 69, 71, 72, 74, 76, 77, 79, 81
MELODY_NOTES = [
    (2, 3.5, 0.5, E4),                                                                        # pickup
    (3, 0, 1, A4), (3, 1, 0.5, C5), (3, 1.5, 0.5, B4), (3, 2, 1, A4), (3, 3, 1, E5),          # phrase A
    (4, 0, 1.5, C5), (4, 1.5, 0.5, A4), (4, 2, 0.5, C5), (4, 2.5, 0.5, D5), (4, 3, 1, C5),
    (5, 0, 1, E5), (5, 1, 0.5, G5), (5, 1.5, 0.5, E5), (5, 2, 1, D5), (5, 3, 0.5, C5), (5, 3.5, 0.5, D5),
    (6, 0, 1, D5), (6, 1, 0.5, B4), (6, 1.5, 1.5, G4), (6, 3.5, 0.5, C5),
    (7, 0, 0.5, C5), (7, 0.5, 1, F5), (7, 1.5, 0.5, E5), (7, 2, 0.5, F5), (7, 2.5, 1.5, A5),  # phrase B
    (8, 0, 1, G5), (8, 1, 0.5, D5), (8, 1.5, 1, G5), (8, 2.5, 0.5, F5), (8, 3, 0.5, E5), (8, 3.5, 0.5, D5),
    (9, 0, 1, E5), (9, 1, 0.5, D5), (9, 1.5, 0.5, B4), (9, 2, 1, GS4), (9, 3, 0.5, B4), (9, 3.5, 0.5, D5),
    (10, 0, 1, C5), (10, 1, 1, B4), (10, 2, 6, A4),                                           # cadence, held to the end
]

KICK, SNARE, CLOSED_HAT, OPEN_HAT, CRASH = 36, 38, 42, 46, 49


def beats(bar, beat):
    return (bar - 1) * BAR + beat


def song():
    """Every note as (start beats, length beats, channel, pitch, velocity)."""
    notes = []

    for bar, (root, ep, pad) in enumerate(CHORDS_BY_BAR, start=1):
        ending = bar == len(CHORDS_BY_BAR)
        # bass: root, syncopated push, fifth, octave pick-up (the ending bar: one long root)
        if ending:
            notes.append((beats(bar, 0), 3.5, BASS, root, 104))
        else:
            for beat, length, interval, vel in [(0, 0.9, 0, 104), (1.5, 0.45, 0, 84), (2, 0.9, 7, 96),
                                                (3, 0.45, 0, 86), (3.5, 0.45, 12, 80)]:
                notes.append((beats(bar, beat), length, BASS, root + interval, vel))
        # electric piano: anticipating comp pattern
        if ending:
            notes += [(beats(bar, 0), 3.5, CHORDS, p, 82) for p in ep]
        else:
            for beat, length, vel in [(0, 1.0, 80), (1.5, 1.0, 66), (3, 0.45, 70), (3.5, 0.45, 62)]:
                notes += [(beats(bar, beat), length, CHORDS, p, vel) for p in ep]
        # strings: whole-bar pad from the lift on
        if bar >= 7:
            notes += [(beats(bar, 0), 4.0 if not ending else 3.5, PAD, p, 62 if not ending else 70) for p in pad]

    for bar in range(1, len(CHORDS_BY_BAR) + 1):
        if bar == len(CHORDS_BY_BAR):
            notes += [(beats(bar, 0), 0.5, DRUMS, KICK, 112), (beats(bar, 0), 0.5, DRUMS, CRASH, 110)]
            break
        lift = bar >= 7
        for i in range(8):  # hats on eighths, accented on the beat; open hat before each bar of the lift
            hat = OPEN_HAT if lift and i == 7 else CLOSED_HAT
            notes.append((beats(bar, i * 0.5), 0.25, DRUMS, hat, 84 if i % 2 == 0 else 58))
        kicks = [0, 2.5] if bar == 1 else [0, 1.5, 2.5]
        notes += [(beats(bar, k), 0.25, DRUMS, KICK, 108 if k == 0 else 92) for k in kicks]
        if bar > 1:
            notes += [(beats(bar, s), 0.25, DRUMS, SNARE, 100) for s in (1, 3)]
        if bar in (2, 6, 10):  # fills into the verse, the lift and the ending
            notes += [(beats(bar, 3 + f), 0.2, DRUMS, SNARE, v) for f, v in [(0.25, 72), (0.5, 84), (0.75, 96)]]
        if bar in (3, 7):
            notes.append((beats(bar, 0), 0.5, DRUMS, CRASH, 104))

    for bar, beat, length, pitch in MELODY_NOTES:
        accent = 100 if beat == int(beat) and int(beat) in (0, 2) else 88
        notes.append((beats(bar, beat), length * 0.95, MELODY, pitch, accent))
    return notes


def to_midi(notes):
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    conductor = mido.MidiTrack()
    conductor += [mido.MetaMessage("track_name", name="Lantern Street", time=0),
                  mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(BPM), time=0),
                  mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
                  mido.MetaMessage("key_signature", key="Am", time=0),
                  mido.MetaMessage("end_of_track", time=len(CHORDS_BY_BAR) * BAR * PPQ)]
    mid.tracks.append(conductor)
    for ch in (MELODY, BASS, CHORDS, PAD, DRUMS):
        volume, pan, reverb = MIX[ch]
        events = [(0, 0, mido.MetaMessage("track_name", name=NAMES[ch]))]
        if ch in PROGRAMS:
            events.append((0, 1, mido.Message("program_change", channel=ch, program=PROGRAMS[ch])))
        for cc, value in ((7, volume), (10, pan), (91, reverb)):
            events.append((0, 1, mido.Message("control_change", channel=ch, control=cc, value=value)))
        for start, length, channel, pitch, vel in notes:
            if channel != ch:
                continue
            on, off = round(start * PPQ), round((start + length) * PPQ)
            events.append((on, 3, mido.Message("note_on", channel=ch, note=pitch, velocity=vel)))
            events.append((off, 2, mido.Message("note_off", channel=ch, note=pitch, velocity=64)))
        events.sort(key=lambda e: (e[0], e[1]))  # at one tick: names, setup, note-offs, note-ons
        track, now = mido.MidiTrack(), 0
        for tick, _, msg in events:
            track.append(msg.copy(time=tick - now))
            now = tick
        mid.tracks.append(track)
    return mid


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "examples" / "demo.mid"
    out.parent.mkdir(parents=True, exist_ok=True)
    mid = to_midi(song())
    tmp = out.with_name("." + out.name + ".tmp")
    mid.save(tmp)
    tmp.replace(out)
    print(f"{out}: {len(CHORDS_BY_BAR)} bars at {BPM} BPM, {mid.length:.1f} s, "
          f"{sum(1 for t in mid.tracks for m in t if m.type == 'note_on')} notes")


if __name__ == "__main__":
    main()

"""Perceiver AR MIDI event codec fixtures for the Java port (dev.pianola.models.perceiver).

The reference is perceiver-io 0.11.0, perceiver/data/audio/midi_processor.py: encode_midi(PrettyMIDI)
and decode_midi(ids), read through pretty_midi 0.2.10 / mido 1.3.3. Install as
tools/reference/requirements-perceiver.txt says (perceiver-io with --no-deps), then:

    /tmp/perceivervenv/bin/python tools/reference/perceiver_fixtures.py [--corpus ../shared/corpus]

midi_processor.py is loaded from the installed package by its file path: the package's
perceiver/data/audio/__init__.py imports the torch data modules, which are not installed.

Writes tests/fixtures/perceiver/:
  midi/*.mid         small MIDI files made here with mido, each built to hit one of the ways
                     pretty_midi reads a file differently from a plain note list (tempo only from
                     track 0, one note-off closing every open note of its pitch, same-tick on/off,
                     unclosed notes, per (program, channel, track) instruments, control changes
                     that arrive before an instrument exists, drums, type 0).
  corpus.json.gz     for every ../shared/corpus/midi/piano/*.mid and every midi/*.mid above:
                     its sha256, encode_midi(PrettyMIDI(file)) ids, and decode_midi of those ids as
                     notes [pitch, velocity, start_s, end_s]; for the files made here also the
                     instruments pretty_midi read (program, drum, notes, controls as in cases.json).
                     gzip because the ids of four MAESTRO
                     performances are most of it (no cap per file).
  cases.json         hand-made and seeded random cases:
                     encode: PrettyMIDI instruments built in memory (notes [velocity, pitch, start_s,
                             end_s] in list order, control changes [number, value, time_s]) and the ids;
                     sequence: like encode, single instrument whose notes are ordered by
                             (end, start, pitch, duration) with dyadic times, for the NoteSequence path;
                     decode: ids and decode_midi's notes.
Times are written with Python's repr, which Jackson reads back to the same double.
"""
import argparse
import gzip
import hashlib
import importlib.metadata as md
import importlib.util
import json
import pathlib
import random

import mido
import pretty_midi

EXPECTED = {"perceiver-io": "0.11.0", "pretty_midi": "0.2.10", "mido": "1.3.3", "numpy": "1.26.4"}
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "perceiver"


def check_versions():
    for name, want in EXPECTED.items():
        got = md.version(name)
        if got != want:
            raise SystemExit(f"{name} {got} installed, fixtures are pinned to {want}")


def load_midi_processor():
    dist = md.distribution("perceiver-io")
    path = pathlib.Path(dist.locate_file("perceiver/data/audio/midi_processor.py"))
    spec = importlib.util.spec_from_file_location("midi_processor", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, hashlib.sha256(path.read_bytes()).hexdigest()


MP, MP_SHA256 = load_midi_processor()


def decoded_json(ids):
    notes = MP.decode_midi(list(ids)).instruments[0].notes
    return [[int(n.pitch), int(n.velocity), float(n.start), float(n.end)] for n in notes]


# ---------------------------------------------------------------------------------------------
# MIDI files that exercise pretty_midi's reader

def track_from_absolute(events):
    """mido messages with absolute ticks -> a track with delta times (stable by tick)."""
    track = mido.MidiTrack()
    last = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        track.append(msg.copy(time=tick - last))
        last = tick
    return track


def on(tick, note, vel, ch=0):
    return tick, mido.Message("note_on", note=note, velocity=vel, channel=ch)


def off(tick, note, ch=0, as_note_on=False):
    if as_note_on:
        return tick, mido.Message("note_on", note=note, velocity=0, channel=ch)
    return tick, mido.Message("note_off", note=note, velocity=64, channel=ch)


def cc(tick, number, value, ch=0):
    return tick, mido.Message("control_change", control=number, value=value, channel=ch)


def tempo(tick, us):
    return tick, mido.MetaMessage("set_tempo", tempo=us)


def make_reader_tracks():
    """Type 1, 96 ppq: most of pretty_midi's reading rules in one file."""
    mid = mido.MidiFile(type=1, ticks_per_beat=96)
    mid.tracks.append(track_from_absolute([
        tempo(0, 500000), (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
        tempo(192, 400000), tempo(384, 400000),            # a repeated tempo is ignored
        tempo(480, 600000), tempo(480, 300000),            # two tempi at one tick: the last one holds
    ]))
    t1 = [
        cc(0, 64, 127),                                    # before any note: a "straggler" control
        on(0, 60, 80), on(48, 60, 90), off(96, 60),        # one note-off closes both open 60s
        on(96, 62, 70), off(96, 62, as_note_on=True),      # zero-length: never becomes a note
        on(100, 64, 50), off(150, 64), on(150, 64, 51), off(200, 64),
        on(160, 66, 40), on(170, 66, 41), off(170, 66), off(230, 66),  # off at 170 keeps the 170 on open
        off(30, 70),                                       # note-off without note-on: ignored
        cc(124, 64, 0), cc(148, 64, 0),                    # second release extends the region
        on(220, 65, 30),                                   # never released: pretty_midi drops it
        (250, mido.Message("program_change", program=5, channel=0)),
        cc(260, 64, 100), on(270, 67, 99), off(300, 67, as_note_on=True), cc(280, 64, 0),
        on(304, 69, 20), off(328, 69), on(328, 71, 81), off(352, 71),   # 24-tick gaps: x.5 ties
        on(10, 48, 60, ch=1), off(400, 48, ch=1), cc(50, 64, 127, ch=1), cc(300, 64, 0, ch=1),
        cc(350, 64, 0, ch=1), on(500, 50, 77, ch=1), off(520, 50, ch=1),  # after the last release: dropped
        cc(60, 67, 127, ch=1),                              # soft pedal: not used by the codec
    ]
    mid.tracks.append(track_from_absolute(t1))
    mid.tracks.append(track_from_absolute([
        tempo(50, 250000),                                 # tempo outside track 0: pretty_midi ignores it
        on(0, 72, 64), off(600, 72), cc(100, 64, 127), cc(200, 64, 0), on(120, 74, 65), off(130, 74),
        on(700, 76, 66), off(1000, 76),
    ]))
    mid.tracks.append(track_from_absolute([
        cc(0, 64, 127, ch=2), cc(90, 64, 0, ch=2), (40, mido.Message("pitchwheel", pitch=300, channel=2)),
    ]))                                                    # no notes on this track: its pedal is lost
    mid.tracks.append(track_from_absolute([
        on(0, 36, 100, ch=9), off(10, 36, ch=9), on(96, 38, 110, ch=9), off(100, 38, ch=9),
    ]))                                                    # drums are an instrument like any other
    return mid


def make_reader_type0():
    """Type 0, 220 ppq (pretty_midi's own resolution): two channels, a pedal, gaps over one second."""
    mid = mido.MidiFile(type=0, ticks_per_beat=220)
    ev = [tempo(0, 500000), tempo(880, 750000), tempo(2000, 500000)]
    tick = 0
    for i, pitch in enumerate([60, 62, 64, 65, 67, 69, 71, 72]):
        ev += [on(tick, pitch, 30 + 10 * i), off(tick + 11 * (i + 1), pitch)]   # 11 ticks = 25 ms at 120 BPM
        tick += 11 * (i % 3 + 1)
    ev += [cc(40, 64, 90, ch=3), on(50, 40, 20, ch=3), on(60, 43, 80, ch=3), off(70, 40, ch=3),
           on(90, 40, 83, ch=3), off(95, 43, ch=3), off(100, 40, ch=3), cc(150, 64, 10, ch=3),
           on(200, 45, 70, ch=3), off(230, 45, ch=3), cc(220, 64, 127, ch=3), cc(260, 64, 0, ch=3)]
    ev += [on(3000, 84, 100), off(3300, 84)]              # a gap of several seconds: repeated ts99
    mid.tracks.append(track_from_absolute(ev))
    return mid


def make_reader_random(seed=11):
    """Type 1, 384 ppq, seeded: two note tracks over three channels with pedals and program changes."""
    rng = random.Random(seed)
    mid = mido.MidiFile(type=1, ticks_per_beat=384)
    mid.tracks.append(track_from_absolute([tempo(0, 600000), tempo(3000, 450000), tempo(9000, 520000)]))
    for _ in range(2):
        ev = []
        for _ in range(160):
            ch = rng.choice([0, 0, 1, 2])
            start = rng.randrange(0, 12000)
            pitch = rng.choice([60, 62, 64, 65, 67, rng.randrange(21, 109)])
            ev.append(on(start, pitch, rng.choice([20, 80, 81, 83, rng.randrange(1, 128)]), ch))
            ev.append(off(start + rng.choice([0, 1, 24, 48, 96, rng.randrange(1, 900)]), pitch, ch,
                          as_note_on=rng.random() < 0.5))
        for _ in range(30):
            ev.append(cc(rng.randrange(0, 12000), 64, rng.choice([0, 0, 63, 64, 127]), rng.choice([0, 1, 2])))
        for _ in range(2):
            ev.append((rng.randrange(0, 12000), mido.Message("program_change", program=rng.randrange(0, 3),
                                                              channel=rng.choice([0, 1]))))
        mid.tracks.append(track_from_absolute(ev))
    return mid


READER_FILES = {"reader_tracks.mid": make_reader_tracks, "reader_type0.mid": make_reader_type0,
                "reader_random.mid": make_reader_random}


# ---------------------------------------------------------------------------------------------
# in-memory encode cases (PrettyMIDI built directly, as the spec's check script does)

def instrument(notes, controls=()):
    ins = pretty_midi.Instrument(0)
    ins.notes = [pretty_midi.Note(v, p, s, e) for v, p, s, e in notes]
    ins.control_changes = [pretty_midi.ControlChange(n, v, t) for n, v, t in controls]
    return ins


def encode_case(name, instruments):
    """Records the input before encoding: encode_midi changes note ends in place (sustain)."""
    record = {"name": name, "instruments": [
        {"notes": [[n.velocity, n.pitch, n.start, n.end] for n in ins.notes],
         "controls": [[c.number, c.value, c.time] for c in ins.control_changes]} for ins in instruments]}
    pm = pretty_midi.PrettyMIDI()
    pm.instruments.extend(instruments)
    record["ids"] = [int(i) for i in MP.encode_midi(pm)]
    return record


def hand_encode_cases():
    cases = [
        encode_case("spec case 1: velocity token before every note_on", [instrument(
            [(80, 60, 0.0, 0.5), (80, 64, 0.5, 1.0), (81, 67, 0.505, 2.3)])]),
        encode_case("spec case 2: 0.125 s rounds half to even", [instrument([(64, 60, 0.0, 0.125)])]),
        encode_case("spec case 3: notes after the last pedal release are dropped", [instrument(
            [(64, 60, 0.0, 0.2), (64, 62, 0.5, 0.6), (64, 64, 2.0, 2.2), (64, 65, 3.0, 3.1)],
            [(64, 127, 0.4), (64, 0, 1.0)])]),
        encode_case("spec case 5: a region with no later note: duplicated, not extended", [instrument(
            [(64, 60, 0.5, 0.6)], [(64, 127, 0.4), (64, 0, 1.0), (64, 127, 2.0), (64, 0, 3.0)])]),
        encode_case("previous raw velocity equals this quantized velocity: no token", [instrument(
            [(20, 60, 0.0, 1.0), (81, 62, 0.1, 1.0), (83, 64, 0.2, 1.0), (5, 65, 0.3, 1.0), (21, 67, 0.4, 1.0)])]),
        encode_case("first velocity below 4 matches cur_vel 0", [instrument([(3, 60, 0.0, 0.3), (2, 62, 0.3, 0.4)])]),
        encode_case("gaps longer than a second", [instrument([(90, 60, 1.0, 1.004), (90, 61, 3.456, 9.9949)])]),
        encode_case("ties at x.5 steps both ways", [instrument(
            [(50, 60, 0.015, 0.04), (50, 62, 0.065, 0.09), (50, 64, 0.125, 0.375), (50, 66, 0.385, 0.4)])]),
        encode_case("pedal: repeated pitch ends at its next onset, others at the release", [instrument(
            [(60, 60, 0.0, 0.1), (61, 60, 0.2, 0.3), (62, 64, 0.25, 0.3), (63, 60, 0.5, 0.6), (64, 67, 1.5, 1.6)],
            [(64, 127, 0.0), (64, 0, 1.0)])]),
        encode_case("pedal: notes exactly on the region's start and end are pedalled", [instrument(
            [(70, 60, 0.4, 0.5), (70, 62, 1.0, 1.1), (70, 64, 1.2, 1.3)], [(64, 64, 0.4), (64, 63, 1.0)])]),
        encode_case("pedal: a second release extends the region; an unreleased press is dropped", [instrument(
            [(70, 60, 0.1, 0.2), (70, 62, 1.5, 1.6), (70, 64, 2.5, 2.6)],
            [(64, 0, 0.05), (64, 100, 0.1), (64, 10, 1.0), (64, 0, 2.0), (64, 127, 2.2)])]),
        encode_case("pedal: list order is not start order", [instrument(
            [(70, 62, 0.3, 0.35), (70, 60, 0.1, 0.5), (70, 64, 1.3, 1.4), (70, 59, 0.2, 1.6)],
            [(64, 127, 0.0), (64, 0, 1.0), (64, 127, 1.2), (64, 0, 1.45)])]),
        encode_case("two instruments, one pedalled, equal times keep instrument order", [
            instrument([(40, 60, 0.0, 0.5), (41, 62, 0.5, 0.7)], [(64, 127, 0.0), (64, 0, 0.6), (64, 127, 0.65), (64, 0, 0.9)]),
            instrument([(90, 48, 0.0, 0.5), (91, 50, 0.5, 0.7), (92, 52, 2.0, 2.1)])]),
        encode_case("controls other than 64 are ignored", [instrument(
            [(50, 60, 0.0, 0.5)], [(67, 127, 0.0), (67, 0, 1.0), (7, 100, 0.2)])]),
        encode_case("no notes", [instrument([])]),
    ]
    return cases


def random_encode_cases(count=40, seed=5):
    rng = random.Random(seed)
    cases = []
    for c in range(count):
        instruments = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            notes = []
            for _ in range(rng.randrange(0, 40)):
                # times on a 5 ms grid (x.5 ties) or off it; lengths from 0 up
                start = rng.randrange(0, 800) / 200 if rng.random() < 0.7 else rng.uniform(0, 4)
                end = start + rng.choice([0.0, 0.005, 0.01, 0.125, rng.randrange(1, 300) / 200, rng.uniform(0, 2)])
                notes.append((rng.choice([20, 80, 81, 83, 3, rng.randrange(1, 128)]),
                              rng.choice([60, 62, 64, rng.randrange(21, 109)]), start, end))
            controls = []
            if rng.random() < 0.7:
                t = 0.0
                for _ in range(rng.randrange(0, 12)):
                    t += rng.choice([0.0, 0.1, 0.35, rng.uniform(0, 1)])
                    controls.append((rng.choice([64, 64, 64, 67]), rng.choice([0, 30, 63, 64, 100, 127]), t))
            # pretty_midi reads notes in note-off order, so let some cases be sorted by end
            if rng.random() < 0.5:
                notes.sort(key=lambda n: n[3])
            instruments.append(instrument(notes, controls))
        cases.append(encode_case(f"random {c}", instruments))
    return cases


def sequence_cases(count=10, seed=9):
    """For encode(NoteSequence): one instrument, notes in (end, start, pitch, duration) order, the order
    in which pretty_midi reads a file written by MidiFiles.write; dyadic times so that beats at 60 BPM
    and start + duration are exact in both languages."""
    rng = random.Random(seed)
    cases = []
    for c in range(count):
        notes = []
        for _ in range(rng.randrange(1, 60)):
            start = rng.randrange(0, 512) / 64
            end = start + rng.randrange(1, 128) / 64
            notes.append((rng.choice([20, 80, 81, rng.randrange(1, 128)]), rng.randrange(40, 90), start, end))
        notes.sort(key=lambda n: (n[3], n[2], n[1], n[3] - n[2]))
        controls = []
        t = 0.0
        for _ in range(rng.randrange(0, 8)):
            t += rng.randrange(1, 128) / 64
            controls.append((64, rng.choice([0, 127]), t))
        cases.append(encode_case(f"sequence {c}", [instrument(notes, controls)]))
    return cases


def decode_cases(count=30, seed=3):
    cases = [
        ("spec case 4: PAD is velocity 128, a second note_off pairs again",
         [356 + 20, 60, 256 + 49, 128 + 60, 256 + 9, 128 + 60, 388, 62, 256 + 0, 128 + 62]),
        ("spec case 1 ids", [376, 60, 305, 188, 376, 64, 256, 376, 67, 305, 192, 355, 285, 195]),
        ("before any velocity token the velocity is 0", [60, 256 + 4, 188]),
        ("zero-length notes and unmatched note_offs are skipped", [376, 60, 188, 190, 256 + 9, 188, 62]),
        ("a later note_on overwrites an unmatched earlier one; sorted by start",
         [380, 60, 256 + 9, 62, 256 + 9, 60, 256 + 9, 190, 256 + 99, 188]),
        ("time shifts accumulate in steps of 0.01 s", [356 + 31] + [256 + 99] * 30 + [60] + [256 + 0] * 7 + [188]),
        ("empty", []),
    ]
    out = [{"name": n, "ids": ids, "notes": decoded_json(ids)} for n, ids in cases]
    rng = random.Random(seed)
    for c in range(count):
        ids = []
        for _ in range(rng.randrange(50, 400)):
            kind = rng.random()
            if kind < 0.3:
                ids.append(rng.choice([60, 62, 64, rng.randrange(0, 128)]))
            elif kind < 0.55:
                ids.append(128 + rng.choice([60, 62, 64, rng.randrange(0, 128)]))
            elif kind < 0.85:
                ids.append(256 + rng.randrange(0, 100))
            else:
                ids.append(rng.randrange(356, 389))          # 388 (PAD) included
        out.append({"name": f"random {c}", "ids": ids, "notes": decoded_json(ids)})
    return out


def file_record(path, name, with_instruments=False):
    pm = pretty_midi.PrettyMIDI(str(path))
    # what pretty_midi read, before encode_midi changes note ends in place
    instruments = [{"program": int(ins.program), "drum": bool(ins.is_drum),
                    "notes": [[n.velocity, n.pitch, float(n.start), float(n.end)] for n in ins.notes],
                    "controls": [[c.number, c.value, float(c.time)] for c in ins.control_changes]}
                   for ins in pm.instruments]
    ids = [int(i) for i in MP.encode_midi(pm)]
    record = {"file": name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "ids": ids,
              "notes": decoded_json(ids)}
    if with_instruments:
        record["instruments"] = instruments
    return record


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = ap.parse_args()
    check_versions()
    generator = {"script": "tools/reference/perceiver_fixtures.py",
                 "versions": {k: md.version(k) for k in EXPECTED},
                 "midi_processor_sha256": MP_SHA256}

    (OUT / "midi").mkdir(parents=True, exist_ok=True)
    for name, make in READER_FILES.items():
        make().save(str(OUT / "midi" / name))

    corpus_dir = pathlib.Path(args.corpus) / "midi" / "piano"
    files = [file_record(p, "corpus:midi/piano/" + p.name) for p in sorted(corpus_dir.glob("*.mid"))]
    if not files:
        raise SystemExit(f"no corpus MIDI files under {corpus_dir}")
    files += [file_record(OUT / "midi" / name, "fixture:midi/" + name, with_instruments=True) for name in READER_FILES]
    with gzip.GzipFile(OUT / "corpus.json.gz", "wb", mtime=0) as gz:
        gz.write(json.dumps({"generator": generator, "files": files}, separators=(",", ":")).encode())

    cases = {"generator": generator,
             "encode": hand_encode_cases() + random_encode_cases(),
             "sequence": sequence_cases(),
             "decode": decode_cases()}
    (OUT / "cases.json").write_text(json.dumps(cases, separators=(",", ":")) + "\n")
    for f in files:
        print(f"{f['file']}: {len(f['ids'])} ids, {len(f['notes'])} notes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Beat-tracking quality of essentia's RhythmExtractor2013 (the tracker the Pop2Piano reference
uses) on audio whose beats are known; writes tests/fixtures/beats/essentia.json, which the Java
tests read to put BeatTracker's figures next to essentia's on the very same samples.

Run from the repository root with the pinned venv (tools/reference/requirements-essentia.txt):
    python3.11 -m venv /tmp/essvenv
    /tmp/essvenv/bin/pip install -r tools/reference/requirements-essentia.txt
    /tmp/essvenv/bin/python tools/reference/beat_quality.py

The tracker is essentia.standard.RhythmExtractor2013(method="multifeature") with its default
parameters, fed mono float32 samples at 44100 Hz (the rate its defaults assume); its "ticks" are
the beats. Scores are mir_eval's beat F-measure: beats before 5 s trimmed from both sides (as
mir_eval.beat.evaluate does), a 70 ms window.

The audio, exactly:

* "synthetic" clips: the four 12 s FLACs in tests/fixtures/beats (tools/reference/beat_fixtures.py;
  22050 Hz mono 16-bit), decoded by soundfile to float32 (int16 / 32768). essentia gets them
  resampled to 44100 Hz with soxr 0.5.0.post1 (soxr.resample, quality "HQ"); the Java tracker gets
  the 22050 Hz samples as decoded. Reference beats: the clip's nominal grid from beats.json.
* "corpus" clips: ../shared/corpus/midi/multitrack/<song>.mid (see ../shared/corpus/SOURCES.md),
  rendered by Pianola itself:
      ./pianola render <song>.mid -o <wav> --max-seconds <end> --sample-rate 44100 --mono
                --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 --quiet
  (16-bit WAV), then the excerpt is samples [round(start * 44100), round(end * 44100)) of it,
  decoded as int16 / 32768. Both trackers get that excerpt as it is. Reference beats: the MIDI's
  quarter-note grid from its tempo map (read here with mido), the beats in [start, end), shifted by
  -start so that they are excerpt times. The rendered audio is not committed; the JSON holds the
  sha256 of the excerpt's samples as 16-bit little-endian PCM so the Java test can tell whether it
  renders the same audio.

For the synthetic clips "sha256" is the same hash of the FLAC's decoded 22050 Hz samples.
"""
import hashlib
import json
import pathlib
import subprocess
import tempfile

import essentia
import essentia.standard as es
import mido
import mir_eval
import numpy as np
import soundfile as sf
import soxr

ROOT = pathlib.Path(__file__).resolve().parents[2]
BEATS = ROOT / "tests" / "fixtures" / "beats"
OUT = BEATS / "essentia.json"
CORPUS = ROOT.parent / "shared" / "corpus" / "midi" / "multitrack"
SOUNDFONT = pathlib.Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")  # Debian fluid-soundfont-gm 3.1
SR = 44100
WINDOW = 0.07
TRIM = 5.0

# song, excerpt start (s), excerpt end (s): 45 s each, where the whole band plays
SONGS = [
    ("Funkytown", 15.0, 60.0),
    ("Mr_Blue_Sky", 15.0, 60.0),
    ("I_Gotta_Feeling", 30.0, 75.0),
]


def sha256_pcm16(int16_samples: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(int16_samples, dtype="<i2").tobytes()).hexdigest()


def f_measure(ref, est) -> float:
    ref, est = np.asarray(ref, dtype=float), np.asarray(est, dtype=float)
    return float(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(ref, TRIM), mir_eval.beat.trim_beats(est, TRIM), WINDOW))


def midi_beats(path: pathlib.Path, until_seconds: float) -> np.ndarray:
    """Seconds of every quarter note (tick multiple of the PPQ) before until_seconds."""
    mid = mido.MidiFile(str(path))
    tempi = []  # (tick, microseconds per quarter); the last one at a tick wins
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                tempi.append((tick, msg.tempo))
    tempi.sort(key=lambda t: t[0])
    changes = [(0, 500000)]
    for tick, tempo in tempi:
        if changes[-1][0] == tick:
            changes[-1] = (tick, tempo)
        else:
            changes.append((tick, tempo))
    ppq = mid.ticks_per_beat
    beats, k = [], 0
    while True:
        tick = k * ppq
        seconds, last_tick, last_tempo = 0.0, 0, changes[0][1]
        for ct, tempo in changes[1:]:
            if ct >= tick:
                break
            seconds += (ct - last_tick) * last_tempo / 1e6 / ppq
            last_tick, last_tempo = ct, tempo
        seconds += (tick - last_tick) * last_tempo / 1e6 / ppq
        if seconds >= until_seconds:
            return np.array(beats)
        beats.append(seconds)
        k += 1


def essentia_beats(samples44k: np.ndarray):
    bpm, ticks, confidence, _, _ = es.RhythmExtractor2013(method="multifeature")(np.ascontiguousarray(samples44k, dtype=np.float32))
    return float(bpm), [float(t) for t in ticks], float(confidence)


def entry(kind, name, sha, seconds, reference, bpm, ticks, confidence, extra):
    f = f_measure(reference, ticks)
    print(f"{name:18s} {len(reference):4d} ref beats  essentia {bpm:7.2f} BPM  {len(ticks):4d} beats  F {f:.4f}")
    return {"kind": kind, "name": name, **extra, "sha256": sha, "seconds": seconds,
            "reference_beats": [round(float(b), 6) for b in reference],
            "essentia": {"bpm": bpm, "beats": [round(t, 6) for t in ticks], "confidence": confidence, "f_measure": f}}


def main():
    clips = []
    for clip in json.loads((BEATS / "beats.json").read_text())["clips"]:
        path = BEATS / clip["file"]
        pcm, sr = sf.read(str(path), dtype="int16")
        assert sr == 22050 and pcm.ndim == 1
        x = pcm.astype(np.float32) / 32768.0
        y = soxr.resample(x, sr, SR, quality="HQ").astype(np.float32)
        bpm, ticks, conf = essentia_beats(y)
        clips.append(entry("synthetic", clip["file"], sha256_pcm16(pcm), len(pcm) / sr, clip["beats"], bpm, ticks, conf,
                           {"file": clip["file"], "sample_rate": sr}))

    with tempfile.TemporaryDirectory() as tmp:
        for song, start, end in SONGS:
            mid = CORPUS / f"{song}.mid"
            wav = pathlib.Path(tmp) / f"{song}.wav"
            subprocess.run([str(ROOT / "pianola"), "render", str(mid), "-o", str(wav), "--max-seconds", str(end),
                            "--sample-rate", str(SR), "--mono", "--soundfont", str(SOUNDFONT), "--quiet"], check=True)
            pcm, sr = sf.read(str(wav), dtype="int16")
            assert sr == SR and pcm.ndim == 1
            pcm = pcm[int(round(start * SR)):int(round(end * SR))]
            assert len(pcm) == int(round(end * SR)) - int(round(start * SR)), f"{song}: render too short"
            reference = midi_beats(mid, end)
            reference = reference[reference >= start] - start
            bpm, ticks, conf = essentia_beats(pcm.astype(np.float32) / 32768.0)
            clips.append(entry("corpus", song, sha256_pcm16(pcm), len(pcm) / SR, reference, bpm, ticks, conf,
                               {"midi": f"midi/multitrack/{song}.mid", "start_seconds": start, "end_seconds": end, "sample_rate": SR}))

    meta = {
        "tracker": 'essentia.standard.RhythmExtractor2013(method="multifeature"), default parameters, 44100 Hz float32 mono',
        "essentia": essentia.__version__, "mir_eval": mir_eval.__version__, "soxr": soxr.__version__,
        "f_measure": f"mir_eval.beat.f_measure, {WINDOW} s window, beats before {TRIM} s trimmed from both sides",
        "render": "./pianola render MID -o WAV --max-seconds END --sample-rate 44100 --mono --soundfont SF2 --quiet; excerpt [start, end)",
        "soundfont": str(SOUNDFONT),
        "soundfont_sha256": hashlib.sha256(SOUNDFONT.read_bytes()).hexdigest(),
        "sha256": "of the samples as 16-bit little-endian PCM (synthetic: the FLAC at 22050 Hz; corpus: the 44100 Hz excerpt)",
        "clips": clips,
    }
    mean = np.mean([c["essentia"]["f_measure"] for c in clips])
    print(f"mean F {mean:.4f}")
    OUT.write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()

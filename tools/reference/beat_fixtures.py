#!/usr/bin/env python3
"""Writes tests/fixtures/beats/: short synthetic songs with a known beat grid, and what
librosa.beat.beat_track finds on them.

Run with the pinned venv (tools/reference/requirements.txt):
    /tmp/refvenv/bin/python tools/reference/beat_fixtures.py

Each clip is mono 16-bit FLAC at 22050 Hz, synthesised with numpy from a seeded RNG: drums
(kick, snare, hi-hat), a bass line and sustained chords, or (the "soft" clip) struck chords with
no drums. Hits are humanised by up to +-6 ms; the reference beats are the nominal grid.

beats.json holds, per clip: file, bpm, first_beat, the reference beat times, and librosa's
result on the FLAC as decoded by soundfile: its tempo, beat times, onset envelope (hop 512,
aggregate=median, as beat_track computes it) and its beat F-measure (mir_eval, 70 ms window,
beats before 5 s trimmed from both sides as mir_eval.beat.evaluate does).
"""
import json
import pathlib

import librosa
import mir_eval
import numpy as np
import soundfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "beats"
SR = 22050
SECONDS = 12.0

CLIPS = [
    # name, bpm, first beat (s), style
    ("rock_96", 96.0, 0.50, "rock"),
    ("pop_123", 123.0, 0.31, "four"),
    ("fast_150", 150.0, 0.20, "syncopated"),
    ("soft_110", 110.0, 0.40, "soft"),
]


def envelope(n, decay_s):
    return np.exp(-np.arange(n) / (decay_s * SR))


def add(y, at_s, sound):
    i = int(round(at_s * SR))
    if i >= len(y):
        return
    j = min(len(y), i + len(sound))
    y[i:j] += sound[: j - i]


def kick():
    n = int(0.25 * SR)
    t = np.arange(n) / SR
    freq = 50 + 90 * np.exp(-t / 0.03)
    return 0.9 * np.sin(2 * np.pi * np.cumsum(freq) / SR) * envelope(n, 0.08)


def snare(rng):
    n = int(0.2 * SR)
    t = np.arange(n) / SR
    noise = rng.standard_normal(n)
    noise = np.diff(noise, prepend=0.0)  # brighter
    return 0.35 * noise * envelope(n, 0.05) + 0.3 * np.sin(2 * np.pi * 185 * t) * envelope(n, 0.04)


def hat(rng, loud=0.12):
    n = int(0.05 * SR)
    noise = np.diff(np.diff(rng.standard_normal(n), prepend=0.0), prepend=0.0)
    return loud * noise * envelope(n, 0.012)


def tone(freq, seconds, decay_s, harmonics=(1.0,)):
    n = int(seconds * SR)
    t = np.arange(n) / SR
    s = sum(a * np.sin(2 * np.pi * freq * (k + 1) * t) for k, a in enumerate(harmonics))
    attack = np.minimum(1.0, np.arange(n) / (0.005 * SR))
    return s * envelope(n, decay_s) * attack


def midi_hz(m):
    return 440.0 * 2 ** ((m - 69) / 12)


PROGRESSION = [(48, [60, 64, 67]), (45, [57, 60, 64]), (41, [57, 60, 65]), (43, [55, 59, 62])]


def render(bpm, first, style, rng):
    y = np.zeros(int(SECONDS * SR))
    beat = 60.0 / bpm
    beats = np.arange(first, SECONDS, beat)
    jitter = lambda: rng.uniform(-0.006, 0.006)
    k, s = kick(), snare(rng)
    for i, b in enumerate(beats):
        pos = i % 4
        bar = (i // 4) % len(PROGRESSION)
        root, chord = PROGRESSION[bar]
        if style == "soft":
            # struck chords on every beat, accented downbeat, bass on 1 and 3
            gain = 0.22 if pos == 0 else 0.13
            for m in chord:
                add(y, b + jitter(), gain * tone(midi_hz(m), beat * 1.2, 0.35, (1.0, 0.4, 0.2)))
            if pos in (0, 2):
                add(y, b + jitter(), 0.3 * tone(midi_hz(root - 12), beat * 2, 0.5, (1.0, 0.5)))
            continue
        if pos == 0:
            for m in chord:
                add(y, b + jitter(), 0.07 * tone(midi_hz(m), beat * 4, 1.5, (1.0, 0.3)))
        if style == "rock":
            if pos in (0, 2):
                add(y, b + jitter(), k)
            if pos in (1, 3):
                add(y, b + jitter(), s)
            for h in (0, 0.5):
                add(y, b + h * beat + jitter(), hat(rng))
            add(y, b + jitter(), 0.35 * tone(midi_hz(root - 12), beat * 0.9, 0.25, (1.0, 0.5, 0.25)))
        elif style == "four":
            add(y, b + jitter(), k)
            if pos in (1, 3):
                add(y, b + jitter(), s)
            add(y, b + 0.5 * beat + jitter(), hat(rng, 0.2))
            for h in (0, 0.5):
                add(y, b + h * beat + jitter(), 0.3 * tone(midi_hz(root - 12 + (7 if h else 0)), beat * 0.45, 0.15, (1.0, 0.5)))
        elif style == "syncopated":
            if pos == 0 or pos == 2:
                add(y, b + jitter(), k)
            if pos == 1:
                add(y, b + 0.5 * beat + jitter(), 0.7 * k)
            if pos in (1, 3):
                add(y, b + jitter(), s)
            for h in (0, 0.5):
                add(y, b + h * beat + jitter(), hat(rng, 0.12 if h == 0 else 0.07))
            add(y, b + jitter(), 0.35 * tone(midi_hz(root - 12), beat * 0.7, 0.2, (1.0, 0.5, 0.25)))
    y = 0.8 * y / np.max(np.abs(y))
    return y, beats


def f_measure(ref, est):
    return float(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(ref), mir_eval.beat.trim_beats(est), 0.07))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)
    clips = []
    for name, bpm, first, style in CLIPS:
        y, beats = render(bpm, first, style, rng)
        path = OUT / f"{name}.flac"
        soundfile.write(str(path), y, SR, subtype="PCM_16")
        decoded, sr = soundfile.read(str(path), dtype="float32")
        onset = librosa.onset.onset_strength(y=decoded, sr=sr, hop_length=512, aggregate=np.median)
        tempo, frames = librosa.beat.beat_track(onset_envelope=onset, sr=sr, hop_length=512)
        est = librosa.frames_to_time(frames, sr=sr, hop_length=512)
        f = f_measure(beats, est)
        print(f"{name}: true {bpm} BPM, librosa {float(np.atleast_1d(tempo)[0]):.2f} BPM, F = {f:.3f}, {path.stat().st_size} bytes")
        clips.append({
            "file": path.name, "bpm": bpm, "first_beat": first,
            "beats": [round(float(b), 6) for b in beats],
            "librosa": {"bpm": float(np.atleast_1d(tempo)[0]), "beats": [round(float(b), 6) for b in est],
                        "f_measure": f, "onset_envelope": [float(v) for v in onset]},
        })
    meta = {"sample_rate": SR, "hop_length": 512, "librosa": librosa.__version__,
            "mir_eval": mir_eval.__version__, "clips": clips}
    (OUT / "beats.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes tests/fixtures/resample/resample.npz: short signals and their resampled versions.

Run with the pinned venv (tools/reference/requirements.txt):
    /tmp/refvenv/bin/python tools/reference/resample_fixtures.py

For every case "<name>_<src>_<dst>" the archive holds
    <case>.x        float32 input at src Hz
    <case>.best     resampy.resample(x, src, dst, filter='kaiser_best')  (resampy 0.4.2 table)
    <case>.high     resampy sinc_window with num_zeros=64, rolloff=0.9475937167399596,
                    Kaiser beta=14.769656459379492, precision=13 (8192 phases per zero crossing)
    <case>.soxr     soxr.resample(x, src, dst, quality='VHQ')
computed in float64 from x and stored as float32 (rounding < 3e-8, far below the tolerances). The Java Resampler must reproduce .best and .high
with the same parameters (same math) and come close to .soxr (different filter design).
"""
import pathlib

import numpy as np
import resampy
import scipy.signal
import soundfile
import soxr

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "resample" / "resample.npz"
VOCADITO = ROOT.parent / "shared" / "corpus" / "audio" / "vocadito_10.wav"

HIGH = dict(num_zeros=64, rolloff=0.9475937167399596, beta=14.769656459379492, precision=13)
SECONDS = 0.1
PAIRS = [(44100, 22050), (48000, 22050), (8000, 22050), (22050, 16000)]


def signals(sr):
    n = int(round(SECONDS * sr))
    t = np.arange(n) / sr
    nyq = sr / 2
    out = {
        "tones": 0.5 * np.sin(2 * np.pi * 440.0 * t) + 0.3 * np.sin(2 * np.pi * 0.3 * nyq * t + 0.7),
        "high": 0.8 * np.sin(2 * np.pi * 0.85 * nyq * t),
        # linear chirp from 50 Hz up to 0.95 of the source Nyquist
        "chirp": 0.7 * scipy.signal.chirp(t, f0=50.0, t1=t[-1], f1=0.95 * nyq, method="linear"),
    }
    if sr == 44100:
        audio, vsr = soundfile.read(str(VOCADITO), dtype="float64")
        assert vsr == 44100
        start = int(3.0 * vsr)
        out["vocadito"] = audio[start:start + n]
    return {k: v.astype(np.float32) for k, v in out.items()}


def main():
    arrays = {}
    for src, dst in PAIRS:
        for name, x in signals(src).items():
            case = f"{name}_{src}_{dst}"
            xd = x.astype(np.float64)
            arrays[case + ".x"] = x
            arrays[case + ".best"] = resampy.resample(xd, src, dst, filter="kaiser_best")
            arrays[case + ".high"] = resampy.resample(
                xd, src, dst, filter="sinc_window", num_zeros=HIGH["num_zeros"],
                precision=HIGH["precision"], rolloff=HIGH["rolloff"],
                window=lambda m: scipy.signal.windows.kaiser(m, HIGH["beta"]))
            arrays[case + ".soxr"] = soxr.resample(xd, src, dst, quality="VHQ")
            for kind in ("best", "high", "soxr"):
                arrays[f"{case}.{kind}"] = arrays[f"{case}.{kind}"].astype(np.float32)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(arrays)} arrays)")


if __name__ == "__main__":
    main()

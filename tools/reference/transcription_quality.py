"""Reference figures for the transcription quality test (pinned: requirements.txt).

For each piano file of ../shared/corpus/midi/piano, render its first CROP_SECONDS with Pianola's own
renderer (`./pianola render`, the Fluid R3 GM piano) to 22050 Hz mono 16-bit WAV, transcribe that WAV
with Python basic-pitch 0.4.0 (`predict`, ONNX backend, default thresholds), and score the notes
against the source MIDI with mir_eval (onset within 50 ms, same pitch, offsets ignored).

The Java test renders the same files the same way, checks that its audio is bit-identical to the
audio scored here (sha256 of the samples), transcribes with the Java port and must not score worse.

usage: python tools/reference/transcription_quality.py   (from the repository root)
"""
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile

import mir_eval
import numpy as np
import pretty_midi
import soundfile as sf
from basic_pitch import ICASSP_2022_MODEL_PATH
from basic_pitch.inference import predict

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "midi" / "piano"
OUT = ROOT / "tests" / "fixtures" / "transcription-quality" / "python_basic_pitch.json"
CROP_SECONDS = 30.0
SCORE_BEFORE_SECONDS = CROP_SECONDS - 0.5  # notes struck in the last moments are cut by the crop
ONSET_TOLERANCE = 0.05
SOUNDFONT = pathlib.Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")  # Debian fluid-soundfont-gm 3.1


def reference_notes(mid: pathlib.Path):
    pm = pretty_midi.PrettyMIDI(str(mid))
    notes = [(n.start, n.pitch) for inst in pm.instruments if not inst.is_drum for n in inst.notes]
    return sorted(n for n in notes if n[0] < SCORE_BEFORE_SECONDS)


def score(ref, est):
    def arrays(notes):
        onsets = np.array([n[0] for n in notes], float)
        intervals = np.stack([onsets, onsets + 0.1], axis=1) if len(notes) else np.zeros((0, 2))
        hz = np.array([pretty_midi.note_number_to_hz(n[1]) for n in notes], float)
        return intervals, hz
    ri, rp = arrays(ref)
    ei, ep = arrays(est)
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep, onset_tolerance=ONSET_TOLERANCE, offset_ratio=None)
    return float(p), float(r), float(f)


def main():
    assert str(ICASSP_2022_MODEL_PATH).endswith("nmp.onnx"), f"basic-pitch is not on its ONNX backend: {ICASSP_2022_MODEL_PATH}"
    results = {"soundfont": str(SOUNDFONT), "soundfont_sha256": hashlib.sha256(SOUNDFONT.read_bytes()).hexdigest(),
               "crop_seconds": CROP_SECONDS, "score_before_seconds": SCORE_BEFORE_SECONDS, "onset_tolerance": ONSET_TOLERANCE,
               "render": "./pianola render --max-seconds 30 --sample-rate 22050 --mono", "basic_pitch": "0.4.0 predict() ONNX, defaults",
               "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for mid in sorted(CORPUS.glob("*.mid")):
            wav = pathlib.Path(tmp) / (mid.stem + ".wav")
            subprocess.run([str(ROOT / "pianola"), "render", str(mid), "-o", str(wav), "--max-seconds", str(CROP_SECONDS),
                            "--soundfont", str(SOUNDFONT),
                            "--sample-rate", "22050", "--mono", "--quiet"], check=True)
            pcm, sr = sf.read(wav, dtype="int16")
            assert sr == 22050 and pcm.ndim == 1
            _, _, events = predict(str(wav))
            est = sorted((float(s), int(p)) for s, e, p, a, b in events if s < SCORE_BEFORE_SECONDS)
            ref = reference_notes(mid)
            p, r, f = score(ref, est)
            print(f"{mid.name:28s} ref {len(ref):4d} est {len(est):4d}  P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
            results["files"][mid.name] = {
                "pcm_sha256": hashlib.sha256(pcm.astype("<i2").tobytes()).hexdigest(),
                "samples": int(len(pcm)), "reference_notes": len(ref), "estimated_notes": len(est),
                "precision": p, "recall": r, "f1": f,
                "estimated": [[round(s, 6), p_] for s, p_ in est],
            }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

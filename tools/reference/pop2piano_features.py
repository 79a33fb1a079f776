"""Pop2Piano feature fixtures: Hugging Face's Pop2PianoFeatureExtractor on given beat times.

Writes tests/fixtures/pop2piano/features.npz, read by Pop2PianoFeaturesTest. Both sides read the
same WAV files and crop the same sample ranges, and both are given the same beat times, so essentia
(the reference's beat tracker) is not involved: the fixture checks everything after the beats.

Inputs (a batch of two, so the per-audio zero line, the T padding and the beatstep padding are
exercised):
  a: examples/demo.wav (22050 Hz, no resampling), samples [0, 4.5 s), the demo's MIDI tempo:
     108 BPM 4/4 from 0 s, every beat before 4.5 s.
  b: corpus audio/vocadito_10.wav (44100 Hz, resampled by librosa/resampy kaiser_best), samples
     [1 s, 5 s), made-up irregular beats with a tempo change.
  c (alone, not batched): 3 s of a synthetic 48000 Hz signal (two tones and a chirp, computed in
     float64 and cast to float32, which Java computes the same way), to exercise a non-integer
     resampling ratio (160:147) and the single-input output shapes.

Usage: /tmp/p2pvenv/bin/python tools/reference/pop2piano_features.py [repo_root] [corpus_dir]
"""
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
# The module itself, not the top-level name: the top-level one is a dummy that demands torch and
# essentia, and the feature extractor needs neither once the beat times are given.
from transformers.models.pop2piano.feature_extraction_pop2piano import Pop2PianoFeatureExtractor

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
corpus = Path(sys.argv[2] if len(sys.argv) > 2 else root / "../shared/corpus").resolve()

# Defaults equal sweetcocoa/pop2piano's preprocessor_config.json (spec 1.1).
fe = Pop2PianoFeatureExtractor()


def read(path, start_s, end_s):
    x, sr = sf.read(str(path), dtype="float32", always_2d=False)
    assert x.ndim == 1, "mono expected"
    return x[int(start_s * sr):int(end_s * sr)], sr


def synthetic_48k(seconds):
    t = np.arange(int(seconds * 48000)) / 48000.0
    x = 0.3 * np.sin(2 * np.pi * 440.0 * t) + 0.2 * np.sin(2 * np.pi * (200.0 + 300.0 * t) * t) \
        + 0.1 * np.sin(2 * np.pi * 3000.5 * t)
    return x.astype(np.float32)


a, sr_a = read(root / "examples/demo.wav", 0.0, 4.5)
beats_a = np.arange(0, 4.5, 60.0 / 108.0).astype(np.float32)
b, sr_b = read(corpus / "audio/vocadito_10.wav", 1.0, 5.0)
beats_b = np.array([0.21, 0.74, 1.26, 1.80, 2.31, 2.77, 3.22, 3.66], np.float32)  # ~115 then ~135 BPM
c = synthetic_48k(3.0)
beats_c = np.arange(0.1, 3.0, 0.4).astype(np.float32)

# The extractor's own beat tracker (essentia) is skipped by replacing extract_rhythm with the
# given beats (float32, as essentia returns them); everything after it is the reference code.
# Batch: extract_rhythm is called once per audio in order; feed each its own beats.
queue = [beats_a, beats_b]
fe.extract_rhythm = lambda audio: (None, queue.pop(0), None, None, None)
batch = fe(audio=[a, b], sampling_rate=[sr_a, sr_b], return_attention_mask=True, return_tensors="np")
fe.extract_rhythm = lambda audio: (None, beats_c, None, None, None)
single = fe(audio=c, sampling_rate=48000, return_tensors="np")

out = {
    "beats_a": beats_a, "beats_b": beats_b, "beats_c": beats_c,
    "batch_input_features": batch["input_features"],
    "batch_attention_mask": batch["attention_mask"].astype(np.int32),
    "batch_beatsteps": batch["beatsteps"],
    "batch_attention_mask_beatsteps": batch["attention_mask_beatsteps"].astype(np.int32),
    "batch_extrapolated_beatstep": batch["extrapolated_beatstep"],
    "batch_attention_mask_extrapolated_beatstep": batch["attention_mask_extrapolated_beatstep"].astype(np.int32),
    "c_input_features": single["input_features"],
    "c_beatsteps": single["beatsteps"],
    "c_extrapolated_beatstep": single["extrapolated_beatstep"],
}
for k, v in out.items():
    print(k, v.shape, v.dtype)
dest = root / "tests/fixtures/pop2piano/features.npz"
np.savez_compressed(dest, **out)
print(dest, dest.stat().st_size, "bytes")

"""Pop2Piano end-to-end fixtures: the Hugging Face pipeline (essentia beats, feature extractor,
generate, batch_decode; transformers 4.57.6) on real audio, with a random-weight model exported by
tools/export/export_pop2piano.py.

    /tmp/p2ptorch/bin/python tools/reference/pop2piano_model_fixtures.py --size tiny [--corpus DIR]
    /tmp/p2ptorch/bin/python tools/reference/pop2piano_model_fixtures.py --size full --package /tmp/p2p-full

Pins: tools/export/requirements-pop2piano.txt (torch, transformers 4.57.6, optimum-onnx, essentia
2.1b6.dev1034 as the Pop2Piano docs pin, librosa/resampy as the features fixture).

--size tiny   the real architecture's fixed widths (d_model 512: the 512 mel bands are the encoder's
              input embeddings) with 1 layer each side, 2 heads of 16, d_ff 64 and a vocabulary cut to
              300 ids (specials, notes, velocities and the first 166 time shifts); the package is
              written to tests/fixtures/pop2piano/tiny (about 2.5 MB), the fixture to
              tests/fixtures/pop2piano/model-tiny.json.gz.
--size full   Pop2PianoConfig() as sweetcocoa/pop2piano's config.json (6+6 layers, 8 heads, d_ff 2048,
              2400 ids); the package (about 300 MB) goes to --package and is never committed; the
              fixture tests/fixtures/pop2piano/model-full.json.gz holds the tokens the benchmark
              compares Java's against.

Weights are random (seeded) with an lm_head scaled by 8, so logits are peaked and greedy choices sit
far from ties: token equality then tests the computation, not rounding luck. The EOS and velocity-on
rows are scaled a little more (see random_model) so that rows end at different lengths.

Inputs (both run end to end, essentia included, at their own sampling rate as the reference does):
  vocadito   corpus audio/vocadito_10.wav, 44100 Hz mono, all 9.1 s (a sung melody)
  demo       examples/demo.wav, 22050 Hz mono, [0, 14 s) (piano; essentia is given 22050 Hz here, as
             Hugging Face would: the reference's pitfall is kept, the beats are recorded either way)

Per input the fixture records: essentia's bpm and beat_times (float32), the extractor's beatsteps,
extrapolated_beatstep, input_features (tiny only, in model-tiny-features.npz, float32), and per composer (composer1,
composer7): generate's tokens [segments, L] and batch_decode's notes [pitch, velocity, start, end]
(or the error batch_decode raises when no row has EOS).
"""
import argparse
import gzip
import hashlib
import importlib.util
import io
import json
import pathlib
import sys
import tempfile

import numpy as np
import soundfile as sf
import torch
import transformers
from transformers import GenerationConfig, Pop2PianoConfig, Pop2PianoForConditionalGeneration
from transformers.models.pop2piano.feature_extraction_pop2piano import Pop2PianoFeatureExtractor
from transformers.models.pop2piano.tokenization_pop2piano import Pop2PianoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("export_pop2piano", ROOT / "tools/export/export_pop2piano.py")
exporter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exporter)

N_SPECIAL, N_NOTE, N_VELOCITY, VOCAB = 4, 128, 2, 2400
TIME0 = N_SPECIAL + N_NOTE + N_VELOCITY
COMPOSERS = {f"composer{i}": 2051 + i for i in range(1, 22)}
CASE_COMPOSERS = ("composer1", "composer7")
SEED = 20261122


def token_name(i):
    if i >= TIME0:
        return f"{i - TIME0}_TOKEN_TIME"
    if i >= N_SPECIAL + N_NOTE:
        return f"{i - N_SPECIAL - N_NOTE}_TOKEN_VELOCITY"
    if i >= N_SPECIAL:
        return f"{i - N_SPECIAL}_TOKEN_NOTE"
    return f"{i}_TOKEN_SPECIAL"


def config(size):
    # sweetcocoa/pop2piano's config.json says tie_word_embeddings false; Pop2PianoConfig() defaults to
    # true (PretrainedConfig's default), which would tie lm_head to the token embeddings and scale logits
    if size == "full":
        return Pop2PianoConfig(tie_word_embeddings=False)
    return Pop2PianoConfig(vocab_size=300, d_model=512, d_kv=16, d_ff=64, num_layers=1, num_decoder_layers=1,
                           num_heads=2, composer_vocab_size=21, tie_word_embeddings=False)


def random_model(size):
    torch.manual_seed(SEED)
    model = Pop2PianoForConditionalGeneration(config(size)).eval()
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layer_norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif "relative_attention_bias" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:  # embeddings and projections: unit-variance outputs for unit-variance inputs
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[-1] ** 0.5)
        model.lm_head.weight.mul_(8.0)
        # a random net mostly loops over a few tokens: favour EOS (id 1) and velocity-on (133) a little,
        # so that some rows end early (batch_decode needs an EOS somewhere) and notes get onsets
        model.lm_head.weight[1].mul_(1.8)
        model.lm_head.weight[133].mul_(1.6)
    model.generation_config = GenerationConfig(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0,
                                               max_length=256, composer_to_feature_token=COMPOSERS)
    return model


def read(path, end_s=None):
    x, sr = sf.read(str(path), dtype="float32", always_2d=False)
    assert x.ndim == 1, f"{path}: mono expected"
    if end_s is not None:
        x = x[:int(end_s * sr)]
    return x, sr


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=["tiny", "full"], required=True)
    ap.add_argument("--package", help="where to write the package (default for tiny: tests/fixtures/pop2piano/tiny)")
    ap.add_argument("--corpus", default=str(ROOT / "../shared/corpus"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    package = pathlib.Path(args.package or (ROOT / "tests/fixtures/pop2piano/tiny" if args.size == "tiny" else ""))
    if not str(package):
        raise SystemExit("--size full needs --package DIR (the package is too big to commit)")

    model = random_model(args.size)
    tmp = pathlib.Path(tempfile.mkdtemp())
    vocab_file = tmp / "vocab.json"
    vocab_file.write_text(json.dumps({token_name(i): i for i in range(VOCAB)}))
    exporter.write_package(model, COMPOSERS, vocab_file, package,
                           source=f"random weights (tools/reference/pop2piano_model_fixtures.py --size {args.size}, seed {SEED})",
                           licence="none (random weights, made for tests)")
    # the export swaps the activation module in place; the reference runs the same object
    fe = Pop2PianoFeatureExtractor()
    tok = Pop2PianoTokenizer(vocab=str(vocab_file))

    inputs = [("vocadito", pathlib.Path(args.corpus) / "audio/vocadito_10.wav", None),
              ("demo", ROOT / "examples/demo.wav", 14.0)]
    cases, features = [], {}
    for name, path, end_s in inputs:
        audio, sr = read(path, end_s)
        bpm, beat_times, _, _, _ = fe.extract_rhythm(audio)  # essentia RhythmExtractor2013(multifeature)
        feats = fe(audio=audio, sampling_rate=sr, return_tensors="pt")  # runs essentia again itself
        assert np.allclose(feats["beatsteps"][0, ::2][:len(beat_times)].numpy(), beat_times, atol=1e-6), "essentia not repeatable?"
        case = {"name": name, "file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else "corpus/" + path.name),
                "sampling_rate": sr, "samples": int(audio.size),
                "samples_sha256": hashlib.sha256(audio.astype("<f4").tobytes()).hexdigest(),
                "bpm": float(bpm), "beat_times": f32(beat_times),
                "beatsteps": f32(feats["beatsteps"][0]), "extrapolated_beatstep": f32(feats["extrapolated_beatstep"][0]),
                "features_shape": list(feats["input_features"].shape), "generations": []}
        if args.size == "tiny":
            features[name] = feats["input_features"].numpy().astype(np.float32)
        for composer in CASE_COMPOSERS:
            with torch.no_grad():
                out = model.generate(input_features=feats["input_features"], composer=composer)
            tokens = out.numpy() if isinstance(out, torch.Tensor) else out.sequences.numpy()
            gen = {"composer": composer, "tokens": tokens.astype(np.int64).tolist()}
            try:
                notes = tok.batch_decode(token_ids=tokens, feature_extractor_output=feats, return_midi=True)["notes"]
                gen["notes"] = [[int(n.pitch), int(n.velocity), float(n.start), float(n.end)] for n in notes]
            except ValueError as e:  # no EOS in any row: the reference's np.max of an empty array
                gen["batch_decode_error"] = f"{type(e).__name__}: {e}"
            case["generations"].append(gen)
            print(name, composer, "tokens", tokens.shape, "notes", len(gen.get("notes", [])), gen.get("batch_decode_error", ""))
        cases.append(case)

    dest = ROOT / f"tests/fixtures/pop2piano/model-{args.size}.json.gz"
    with gzip.GzipFile(dest, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as f:
        json.dump({"reference": f"transformers {transformers.__version__} Pop2PianoForConditionalGeneration.generate (greedy) "
                                f"+ Pop2PianoTokenizer.batch_decode, essentia RhythmExtractor2013(multifeature), torch {torch.__version__}",
                   "package": "tests/fixtures/pop2piano/tiny" if args.size == "tiny" else "made with --size full --package DIR",
                   "seed": SEED, "cases": cases}, f, separators=(",", ":"))
    print(dest, dest.stat().st_size, "bytes")
    if features:
        np.savez_compressed(ROOT / "tests/fixtures/pop2piano/model-tiny-features.npz", **features)


if __name__ == "__main__":
    sys.exit(main())

"""int8 Pop2Piano fixtures for the Java runtime (dev.pianola.models.pop2piano.Pop2PianoModelTest).

    /tmp/p2ptorch/bin/python tools/reference/pop2piano_int8_fixtures.py    (pins: tools/export/requirements-pop2piano.txt)

Writes tests/fixtures/pop2piano/:
  tiny-int8/               the tiny random Pop2Piano of pop2piano_model_fixtures.py --size tiny (same seed,
                           same weights), exported by tools/export/export_pop2piano.py with --precision int8
                           (the decoder's MatMuls int8, inside its If branches; the encoder float32)
  generations-int8.json    greedy tokens of ONNX Runtime (Python) on those graphs for every segment of the
                           tiny fixture's inputs (model-tiny-features.npz, composer1), and the smallest
                           top-2 logit gap met on the way

The reference for a quantized graph is ONNX Runtime itself, not torch: the int8 graph computes other
numbers than the float32 model by design. It is fed as Java's Pop2PianoModel feeds it (the encoder on
the segment with an all-ones mask, then the decoder from the start token with an empty cache, one token
per step, the cross-attention cache of the first step fed back), one segment at a time: dynamic
quantization scales each activation tensor by its own range, so rows decoded together would change each
other's logits, and batch 1 is what the live cover decodes.
"""
import importlib.util
import json
import pathlib
import sys

import numpy as np
import onnxruntime as ort

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
from pop2piano_agreement import Package  # noqa: E402  (the graphs fed as Java feeds them)
OUT = ROOT / "tests" / "fixtures" / "pop2piano"
spec = importlib.util.spec_from_file_location("pop2piano_model_fixtures", ROOT / "tools/reference/pop2piano_model_fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
exporter = fixtures.exporter
COMPOSER = "composer1"


def greedy_row(package, features, composer_index):
    """One segment's greedy tokens (start token first) as Java decodes a batch of one; and the smallest top-2 gap."""
    chosen, logits = package.decode_row(features, composer_index)
    return [0] + chosen, min(float(np.diff(np.sort(l)[-2:])[0]) for l in logits)


def main():
    model = fixtures.random_model("tiny")
    vocab = OUT / "tiny" / exporter.VOCAB_FILE
    pkg = OUT / "tiny-int8"
    exporter.write_package(model, fixtures.COMPOSERS, vocab, pkg,
                           source=f"random weights (tools/reference/pop2piano_model_fixtures.py --size tiny, seed {fixtures.SEED})",
                           licence="none (random weights, made for tests)", precision="int8-dynamic")
    package = Package(pkg, threads=1)
    features = np.load(OUT / "model-tiny-features.npz")
    float32 = json.loads(__import__("gzip").decompress((OUT / "model-tiny.json.gz").read_bytes()))
    composer_index = fixtures.COMPOSERS[COMPOSER] - min(fixtures.COMPOSERS.values())
    cases = []
    for name in features.files:
        x = features[name][0] if features[name].ndim == 4 else features[name]
        rows, gaps = [], []
        for s in range(x.shape[0]):
            tokens, gap = greedy_row(package, x[s], composer_index)
            rows.append(tokens)
            gaps.append(gap)
        ref = next(g["tokens"] for c in float32["cases"] if c["name"] == name for g in c["generations"] if g["composer"] == COMPOSER)
        same = sum(1 for a, b in zip(rows, ref) if a == [t for t in b[:len(a)]] and (len(b) == len(a) or b[len(a)] == 0))
        print(f"{name}: {len(rows)} segments, min top-2 gap {min(gaps):.4f}, {same}/{len(rows)} rows equal to float32 generate's")
        cases.append({"name": name, "composer": COMPOSER, "tokens": rows, "minTop2Gap": min(gaps)})
    (OUT / "generations-int8.json").write_text(json.dumps(
        {"onnxruntime": ort.__version__, "package": "tests/fixtures/pop2piano/tiny-int8",
         "features": "tests/fixtures/pop2piano/model-tiny-features.npz", "batchRows": 1, "cases": cases}) + "\n")


if __name__ == "__main__":
    sys.exit(main())

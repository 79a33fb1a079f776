"""int8 Perceiver AR fixtures for the Java runtime (dev.pianola.models.perceiver.PerceiverArGeneratorTest).

    /tmp/parvenv/bin/python tools/reference/perceiver_ar_int8_fixtures.py    (pins: requirements-perceiver-ar.txt)

Writes tests/fixtures/perceiver-ar/:
  tiny-int8/               the tiny random Perceiver AR of perceiver_ar_fixtures.py (same seed, same
                           weights), exported by tools/export/export_perceiver_ar.py with --precision int8
  generations-int8.json    greedy ids of ONNX Runtime (Python) on those int8 graphs for the prompts
                           of generations.json, in its layout

The reference for quantized graphs is ONNX Runtime itself, not perceiver-io: int8 computes other
numbers by design. The graph is fed as Java's PerceiverArGenerator feeds it (prefill, then one
id per step, the two cache trims before the step that would exceed a cap), because dynamic
quantization scales each activation tensor by its own range, so another feeding gives other logits.
"""
import json
import pathlib
import sys

import numpy as np
import onnxruntime as ort
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
from perceiver_ar_fixtures import SEED, TINY, exporter  # noqa: E402
import precision  # noqa: E402  (tools/export, on the path through perceiver_ar_fixtures)

from perceiver.model.core import CausalSequenceModel, CausalSequenceModelConfig  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "perceiver-ar"


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def greedy(decoder, prompt, num_latents, new):
    """PerceiverArGenerator's loop with argmax; the new ids and the smallest top-2 logit gap."""
    caches = [o.name[len("new."):] for o in decoder.get_outputs()[1:]]  # ca.key, ca.value, sa.{i}.key, ...
    k = min(len(prompt), num_latents)
    cache = [np.zeros((1, 0, TINY["num_channels"]), np.float32) for _ in caches]
    prefix, latents = prompt[:-k], prompt[-k:]
    ids, gaps = [], []
    while True:
        feeds = {"prefix_ids": np.array([prefix], np.int64).reshape(1, -1), "latent_ids": np.array([latents], np.int64)}
        feeds.update({f"past.{c}": t for c, t in zip(caches, cache)})
        out = decoder.run(None, feeds)
        logits = out[0][0, -1]
        cache = [np.concatenate([c, rows], 1) for c, rows in zip(cache, out[1:])]
        top2 = np.sort(logits)[-2:]
        gaps.append(float(top2[1] - top2[0]))
        ids.append(int(np.argmax(logits)))
        if len(ids) == new:
            return ids, min(gaps)
        if cache[2].shape[1] >= TINY["max_latents"]:
            cache[2:] = [c[:, -(TINY["max_latents"] - 1):] for c in cache[2:]]
        if cache[0].shape[1] >= TINY["max_seq_len"]:
            cache[:2] = [c[:, -(TINY["max_seq_len"] - 1):] for c in cache[:2]]
        prefix, latents = [], [ids[-1]]


def main():
    exporter.patch_position_encoding()
    torch.manual_seed(SEED)
    backend = CausalSequenceModel(CausalSequenceModelConfig(**TINY)).eval()
    pkg = OUT / "tiny-int8"
    exporter.write_package(backend, pkg, "random weights, tools/reference/perceiver_ar_fixtures.py seed " + str(SEED),
                           "none (random weights)", precision=precision.INT8)
    decoder = session(pkg / exporter.DECODER_FILE)
    runs = []
    for r in json.loads((OUT / "generations.json").read_text())["runs"]:
        ids, gap = greedy(decoder, r["prompt"], r["numLatents"], r["maxNewTokens"])
        same = sum(a == b for a, b in zip(ids, r["generated"]))
        print(f"{r['file']}: {len(ids)} ids, min top-2 gap {gap:.4f}, {same} equal to float32's at the same step")
        runs.append({**{k: r[k] for k in ("file", "promptLength", "numLatents", "maxNewTokens", "prompt")},
                     "generated": ids, "minTop2GapLogits": round(gap, 6)})
    doc = {"generator": {"script": "tools/reference/perceiver_ar_int8_fixtures.py", "seed": SEED,
                         "reference": f"onnxruntime {ort.__version__} on tiny-int8, fed as PerceiverArGenerator"},
           "runs": runs}
    (OUT / "generations-int8.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Tiny random-weight Perceiver AR, exported with tools/export, and HF generate's greedy tokens.

    /tmp/parvenv/bin/python tools/reference/perceiver_ar_fixtures.py [--out tests/fixtures/perceiver-ar]

Needs tools/reference/requirements-perceiver-ar.txt. Writes
  tiny/                  the model package (tools/export/export_perceiver_ar.py write_package)
  generations.json       prompts (the first n ids of corpus files, as perceiver-io's encode_midi gives
                         them in tests/fixtures/perceiver/corpus.json.gz) and HF generate's greedy new ids

The model has the real architecture (hybrid cross-attention + causal self-attention, rotary in the
first self-attention layer, tied output) but is tiny, and its caps are small (max_seq_len 96,
max_latents 16) so that short generations run into both of the cached path's trims: the
self-attention caches once the latents reach 16, the cross-attention cache once the window reaches
96 (symbolic.md 1.5/1.6). The reference is perceiver-io's own HF wrapper
(PerceiverCausalSequenceModel.generate with use_cache=True, the path the pipeline ships).

Weights use init_scale 0.5 instead of 0.02: with 0.02 the logits of a random model are almost
flat and greedy decoding would hinge on 1e-6 differences between PyTorch and ONNX Runtime.
The smallest top-1/top-2 logit gap of every recorded step is written along, so a tie is visible.
"""
import argparse
import gzip
import importlib.metadata as md
import json
import pathlib
import sys

import torch
from transformers import GenerationConfig, PretrainedConfig

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
import export_perceiver_ar as exporter  # noqa: E402

from perceiver.model.core import CausalSequenceModel, CausalSequenceModelConfig  # noqa: E402
# perceiver-io 0.11.0's huggingface.py names transformers.PerceiverLayer in type annotations only;
# transformers 4.46 no longer exports it at the top level, so point the name at its module.
import transformers  # noqa: E402
from transformers.models.perceiver import modeling_perceiver  # noqa: E402
transformers.PerceiverLayer = modeling_perceiver.PerceiverLayer
transformers.PerceiverModel = modeling_perceiver.PerceiverModel
from perceiver.model.core.huggingface import PerceiverCausalSequenceModel  # noqa: E402

SEED = 20240611
TINY = dict(vocab_size=389, max_seq_len=96, max_latents=16, num_channels=32, num_heads=2,
            num_self_attention_layers=2, output_norm=True, output_bias=False, abs_pos_emb=False,
            cross_attention_dropout=0.0, post_attention_dropout=0.0, residual_dropout=0.0, init_scale=0.5)
# (corpus file, prompt length, num_latents, new tokens): prompts near and at the caps, and runs long
# enough that both trims happen many times (14 + 120 > 96 positions).
CASES = [
    ("Maestro_1.mid", 14, 1, 120),
    ("Maestro_2.mid", 14, 4, 120),
    ("POP909_008.mid", 16, 16, 100),
    ("Maestro_3.mid", 40, 1, 80),
    ("Maestro_4.mid", 90, 12, 40),
    ("POP909_010.mid", 96, 16, 30),
    ("perceiver_prompt_1.mid", 1, 1, 110),
]


class TinyHf(PerceiverCausalSequenceModel):
    """perceiver-io's HF generation wrapper around a backend model built here."""
    config_class = PretrainedConfig

    def __init__(self, config, backend):
        super().__init__(config)
        self.backend_model = backend


def corpus_ids():
    with gzip.open(ROOT / "tests/fixtures/perceiver/corpus.json.gz", "rt") as f:
        doc = json.load(f)
    return {pathlib.Path(e["file"]).name: e["ids"] for e in doc["files"]}


def greedy(hf, prompt, num_latents, new):
    with torch.no_grad():
        out = hf.generate(torch.tensor([prompt]), num_latents=num_latents, max_new_tokens=new, do_sample=False,
                          use_cache=True, output_scores=True, return_dict_in_generate=True, pad_token_id=388)
    ids = out.sequences[0, len(prompt):].tolist()
    gap = min(float(s[0].topk(2).values[0] - s[0].topk(2).values[1]) for s in out.scores)
    return ids, gap


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "tests/fixtures/perceiver-ar"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    exporter.patch_position_encoding()
    torch.manual_seed(SEED)
    backend = CausalSequenceModel(CausalSequenceModelConfig(**TINY)).eval()
    exporter.write_package(backend, out / "tiny", "random weights, tools/reference/perceiver_ar_fixtures.py seed "
                           + str(SEED), "none (random weights)")
    config = PretrainedConfig(is_decoder=True)
    hf = TinyHf(config, backend).eval()
    hf.generation_config = GenerationConfig(pad_token_id=388)
    corpus = corpus_ids()
    runs = []
    for name, n, k, new in CASES:
        prompt = corpus[name][:n]
        assert len(prompt) == n, (name, len(prompt))
        ids, gap = greedy(hf, prompt, k, new)
        runs.append({"file": "corpus:midi/piano/" + name, "promptLength": n, "numLatents": k,
                     "maxNewTokens": new, "prompt": prompt, "generated": ids, "minTop2GapLogits": round(gap, 6)})
        print(f"{name}: prompt {n}, latents {k}, {new} new, min top-2 gap {gap:.4f}, first {ids[:8]}")
    doc = {"generator": {"script": "tools/reference/perceiver_ar_fixtures.py", "seed": SEED, "tiny": TINY,
                         "versions": {p: md.version(p) for p in ("perceiver-io", "torch", "transformers", "onnx", "einops")},
                         "reference": "PerceiverCausalSequenceModel.generate(do_sample=False, use_cache=True)"},
           "runs": runs}
    (out / "generations.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()

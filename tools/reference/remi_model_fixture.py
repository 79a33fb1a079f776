"""A tiny REMI model package for the end-to-end `pianola continue --engine remi` test.

The real package (Natooz/Maestro-REMI-bpe20k, made by tools/export/export_gpt2.py on a machine with
internet) holds a GPT-2 and the MidiTok tokenizer it was trained with. This makes the same kind of
package with a TINY random-weight GPT-2 (same architecture, 2 layers, 32 wide) whose vocabulary is the
test tokenizer's (tests/fixtures/remi/tokenizer.json, trained by remi_fixtures.py with miditok 2.0.6),
exported by the same exporter, with the tokenizer copied in as the exporter does. Token parity of the
generation loop is checked by gpt2_fixtures.py; this package checks the wiring: tokenizer + model + CLI.

    /tmp/torchvenv/bin/python tools/reference/remi_model_fixture.py    (pins: requirements-torch.txt)
"""
import json
import pathlib
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
sys.path.insert(0, str(ROOT / "tools" / "reference"))
import export_gpt2  # noqa: E402
from gpt2_fixtures import check_versions, BOS, EOS, PAD  # noqa: E402

TOKENIZER = ROOT / "tests" / "fixtures" / "remi" / "tokenizer.json"
OUT = ROOT / "tests" / "fixtures" / "remi-model" / "tiny"
SEED = 4321


def vocabulary_size(tokenizer_file):
    params = json.loads(tokenizer_file.read_text())
    model = json.loads(params["_model"] if "_model" in params else params["_bpe_model"])
    return len(model["model"]["vocab"])


def main():
    check_versions()
    torch.manual_seed(SEED)
    cfg = GPT2Config(n_layer=2, n_embd=32, n_head=2, n_inner=128, vocab_size=vocabulary_size(TOKENIZER), n_positions=256,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5, bos_token_id=BOS, eos_token_id=EOS,
                     pad_token_id=PAD, initializer_range=0.2)
    model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()
    # the paper's sampling defaults, as the real package gets them
    export_gpt2.write_package(model, OUT, f"random weights (tools/reference/remi_model_fixture.py, seed {SEED})",
                              "none (random weights, made for tests)",
                              {"doSample": True, "temperature": 2.5, "topK": 15, "topP": 0.95, "maxNewTokens": 512},
                              extra_files=[TOKENIZER])
    print("wrote", OUT, "vocab", cfg.vocab_size)


if __name__ == "__main__":
    main()

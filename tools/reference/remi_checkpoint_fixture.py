"""A tiny Hugging Face checkpoint of the REMI model, as the hub serves Natooz/Maestro-REMI-bpe20k.

`pianola models install gpt2-remi` downloads the checkpoint's files from the hub and runs
tools/export/export_gpt2.py on them. Its tests (tests/.../ModelInstallTest) serve this folder from
a local server that speaks the hub's file protocol: a TINY random-weight GPT-2 (the architecture
of remi_model_fixture.py: 2 layers, 32 wide, the test tokenizer's vocabulary) saved by
transformers' save_pretrained as the hub holds it (config.json, generation_config.json,
model.safetensors), beside the MidiTok tokenizer file (tests/fixtures/remi/tokenizer.json, the
name the hub uses since 2024-04).

    /work/main/.venv/torch/bin/python tools/reference/remi_checkpoint_fixture.py    (pins: requirements-torch.txt)
"""
import pathlib
import shutil
import sys

import torch
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
from gpt2_fixtures import check_versions, BOS, EOS, PAD  # noqa: E402
from remi_model_fixture import TOKENIZER, vocabulary_size  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "remi-model" / "tiny-checkpoint"
SEED = 8765


def main():
    check_versions()
    torch.manual_seed(SEED)
    cfg = GPT2Config(n_layer=2, n_embd=32, n_head=2, n_inner=128, vocab_size=vocabulary_size(TOKENIZER), n_positions=256,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5, bos_token_id=BOS, eos_token_id=EOS,
                     pad_token_id=PAD, initializer_range=0.2)
    model = GPT2LMHeadModel._from_config(cfg).eval()
    # the paper's sampling settings, as the hub's generation_config.json has them (symbolic.md 2.6)
    model.generation_config = GenerationConfig(do_sample=True, temperature=2.5, top_k=15, top_p=0.95, max_new_tokens=512,
                                               bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    if OUT.exists():
        shutil.rmtree(OUT)
    model.save_pretrained(OUT, safe_serialization=True)
    shutil.copyfile(TOKENIZER, OUT / "tokenizer.json")
    for f in sorted(OUT.iterdir()):
        print(f.name, f.stat().st_size)


if __name__ == "__main__":
    main()

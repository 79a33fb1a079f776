"""Makes the model package `tools/bench/run lv2-remi` runs the plug-in with: a random-weight GPT-2 of
Maestro-REMI-bpe20k's size (12 layers, 512 wide, 8 heads, 2048 positions; torch seed 0) whose
vocabulary is the REMI+BPE tokenizer of the test fixture (tests/fixtures/remi-model/tiny, 1000
tokens, which Java's RemiTokenizer reproduces id for id), exported with tools/export/export_gpt2.py
and the fixture's tokenizer.json, generation defaults the paper's sampling (as the fixture's).

Why not vocabulary 20000: the live engine needs a tokenizer that matches the model, and the real
20000-token one cannot be downloaded here. The layers are the real size; the output projection is
1000 x 512 instead of 20000 x 512, about a fifth less work per token than the real model. Random
weights: the notes are not music, but the engine does the real work (prefill of the phrase, one
token per step with the KV cache) on the instance's worker thread while run() is timed.

    python tools/bench/lv2_remi_package.py OUT_DIR     (made once; an existing package is kept)
"""
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))


def main():
    out = pathlib.Path(sys.argv[1])
    if (out / "pianola-model.json").exists():
        print(f"lv2_remi_package: {out} exists, kept", file=sys.stderr)
        return
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    import export_gpt2

    fixture = ROOT / "tests" / "fixtures" / "remi-model" / "tiny"
    manifest = json.loads((fixture / "pianola-model.json").read_text())
    torch.manual_seed(0)
    cfg = GPT2Config(n_layer=12, n_embd=512, n_head=8, n_inner=2048, vocab_size=manifest["vocabSize"], n_positions=2048,
                     activation_function="gelu_new", bos_token_id=manifest["config"]["bos_token_id"],
                     eos_token_id=manifest["config"]["eos_token_id"], pad_token_id=manifest["config"]["pad_token_id"])
    model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()
    t0 = time.perf_counter()
    export_gpt2.write_package(model, out, "random weights, 12x512, the fixture's REMI+BPE-1000 vocabulary (tools/bench/lv2_remi_package.py, seed 0)",
                              "none", manifest["generation"], extra_files=[fixture / "tokenizer.json"])
    print(f"lv2_remi_package: exported {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Makes the model package `tools/bench/run lv2-remi` (and clap-remi, vst3-remi, streaming) runs the plug-in
with: a GPT-2 of Maestro-REMI-bpe20k's size (12 layers, 512 wide, 8 heads, 2048 positions; random init,
torch seed 0) whose vocabulary is the REMI+BPE tokenizer of the test fixture (tests/fixtures/remi-model/tiny,
1000 tokens, which Java's RemiTokenizer reproduces id for id), trained briefly on the corpus to learn
REMI's grammar (remi_grammar.py: a few hundred steps on 6 corpus pieces, CPU, 2 threads, at most ~10
minutes; it prints the loss, then checks the grammar on continuations of a held-out phrase, and before
training too with --check-init), exported with tools/export/export_gpt2.py and the fixture's
tokenizer.json, generation defaults the paper's sampling (as the fixture's).

Why trained: with random weights the model almost never writes a Bar or a sensible Position, so the answer
window gets a note only by chance and "phrase end -> first answering note" measures the random model. The
live session plays an answer from its first decoded notes, so what counts is how many tokens a model needs
before its first note in the window; a model that knows the grammar writes `Bar Position Pitch Velocity
Duration` right away, as a trained one does. It is a bench model, not a musical one (six pieces, minutes).

Why not vocabulary 20000: the live engine needs a tokenizer that matches the model, and the real
20000-token one cannot be downloaded here. The layers are the real size; the output projection is
1000 x 512 instead of 20000 x 512, about a fifth less work per token than the real model.

    python tools/bench/lv2_remi_package.py OUT_DIR [--check-init] [--int8 INT8_DIR]   (made once; an existing package is kept)
        --check-init  also runs the grammar check on the random init, before training (the comparison)
        --int8 DIR    also writes the same trained model as an int8 package in DIR (tools/export/precision.py on
                      OUT_DIR's decoder; made once): `tools/bench/run lv2-remi --precision int8` plays it
"""
import json
import os
import pathlib
import shutil
import sys
import time

# OpenMP threads that sleep when they wait instead of spinning: on a shared 2-core machine spinning
# threads make each training step 2-3 times slower (measured: 2.3 s against 5-7 s a step, load 6-8)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
sys.path.insert(0, str(ROOT / "tools" / "bench"))
THREADS = 2


def log(line):
    print(line, file=sys.stderr, flush=True)


def main():
    out = pathlib.Path(sys.argv[1])
    int8 = pathlib.Path(sys.argv[sys.argv.index("--int8") + 1]) if "--int8" in sys.argv[2:] else None
    if (out / "pianola-model.json").exists():
        log(f"lv2_remi_package: {out} exists, kept")
    else:
        make(out)
    if int8 is not None:
        if (int8 / "pianola-model.json").exists():
            log(f"lv2_remi_package: {int8} exists, kept")
        else:
            quantized_copy(out, int8)


def quantized_copy(src, dst):
    """The package in src with its decoder quantized to int8 (the exporter's own conversion), in dst."""
    import export_gpt2
    import precision
    from package_files import sha256
    t0 = time.perf_counter()
    tmp = dst.with_name(dst.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    manifest = json.loads((tmp / "pianola-model.json").read_text())
    manifest.update(precision.convert(tmp / export_gpt2.GRAPH_FILE, precision.INT8))
    manifest["files"] = [{"path": f["path"], "sha256": sha256(tmp / f["path"])} for f in manifest["files"]]
    (tmp / "pianola-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(dst)
    log(f"lv2_remi_package: int8 copy {dst} in {time.perf_counter() - t0:.1f} s")


def make(out):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    import export_gpt2
    import remi_grammar

    torch.set_num_threads(THREADS)
    fixture = ROOT / "tests" / "fixtures" / "remi-model" / "tiny"
    manifest = json.loads((fixture / "pianola-model.json").read_text())
    bos, eos = manifest["config"]["bos_token_id"], manifest["config"]["eos_token_id"]
    torch.manual_seed(0)
    cfg = GPT2Config(n_layer=12, n_embd=512, n_head=8, n_inner=2048, vocab_size=manifest["vocabSize"], n_positions=2048,
                     activation_function="gelu_new", bos_token_id=bos, eos_token_id=eos,
                     pad_token_id=manifest["config"]["pad_token_id"])
    model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()

    vocab = remi_grammar.Vocabulary(fixture / "tokenizer.json")
    if "--check-init" in sys.argv[2:]:
        remi_grammar.check(model, vocab, bos, eos, manifest["generation"], "random init", log)
    t0 = time.perf_counter()
    steps = remi_grammar.train(model, vocab, bos, log)
    log(f"lv2_remi_package: trained {steps} steps in {time.perf_counter() - t0:.0f} s")
    remi_grammar.check(model, vocab, bos, eos, manifest["generation"], f"trained {steps} steps", log)

    t0 = time.perf_counter()
    pieces = len(remi_grammar.TRAIN_FILES)
    export_gpt2.write_package(model, out, f"GPT-2 12x512, the fixture's REMI+BPE-1000 vocabulary: random init, trained {steps} steps "
                                          f"on {pieces} corpus pieces to learn REMI's grammar (bench only, not a musical model; "
                                          "tools/bench/lv2_remi_package.py, seed 0)",
                              "none", manifest["generation"], extra_files=[fixture / "tokenizer.json"])
    log(f"lv2_remi_package: exported {out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

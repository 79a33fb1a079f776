"""Side-by-side benchmark: Pianola's Java GPT-2 loop (ONNX Runtime) vs Hugging Face PyTorch generate().

A full-size random-weight GPT-2 with Maestro-REMI-bpe20k's architecture (12 layers, 512 wide,
8 heads, vocab 20000, 2048 positions; torch seed 0) is exported with tools/export into a package
in a temporary folder (never committed), then both sides run greedy decoding on the same 512-token
prompt for 512 new tokens (no EOS), each in its own process on the same number of threads:
  prefill ms      one forward pass over the prompt (the first new token's logits)
  tokens/s        the 511 steps after the prefill, one token each with the KV cache
  peak RSS MiB    of that process
and the ratio Java / PyTorch. The first 64 tokens of both are compared (greedy parity at full size).
A benchmark, not a test: it prints figures and never fails on them.

First run (2 cores shared with other jobs, load average about 4.5; torch 2.5.1, ORT 1.20.0 Java):
  prefill ms 686.6 (Java) vs 2848.4 (PyTorch), tokens/s 16.4 vs 2.5, peak RSS MiB 621 vs 1402,
  first 64 greedy tokens identical 64/64. PyTorch's OpenMP threads suffer more from the shared,
  oversubscribed cores than ONNX Runtime's; rerun on an idle machine before quoting the ratio.

usage (from the repository root, after `mvn -o -q package -DskipTests` and with the torch venv):
    /tmp/torchvenv/bin/python tools/bench/gpt2_bench.py [--threads 2] [--keep DIR]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))

PROMPT, NEW = 512, 512

PY_SIDE = r"""
import json, resource, sys, time, torch
from transformers import GPT2LMHeadModel
torch.set_num_threads(int(sys.argv[3]))
model = GPT2LMHeadModel.from_pretrained(sys.argv[1]).eval()   # transformers' default attention (SDPA)
prompt = torch.tensor([json.load(open(sys.argv[2]))["prompt"]])
new = int(sys.argv[4])
with torch.no_grad():
    model.generate(prompt[:, :8], max_new_tokens=4, do_sample=False, eos_token_id=None, pad_token_id=0)  # warm-up
    t0 = time.perf_counter(); model(prompt, use_cache=True); prefill = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=new, min_new_tokens=new,
                         do_sample=False, eos_token_id=None, pad_token_id=0)
    total = time.perf_counter() - t0
tokens = out[0, prompt.shape[1]:].tolist()
print(json.dumps({"prefill_ms": prefill * 1e3, "tokens_per_s": (new - 1) / (total - prefill), "total_s": total,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "tokens": tokens}))
"""


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def classpath():
    """This checkout's compiled classes (not an installed engine jar) and the engine's libraries."""
    cp = ROOT / "engine" / "target" / "bench.classpath"
    subprocess.run(["mvn", "-B", "-q", "-o", "-pl", "engine", "dependency:build-classpath", "-Dmdep.includeScope=runtime",
                    f"-Dmdep.outputFile={cp}"], cwd=ROOT, check=True)
    return f"{ROOT / 'tests' / 'target' / 'classes'}:{ROOT / 'engine' / 'target' / 'classes'}:{cp.read_text().strip()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", help="folder for the model (default: a temporary one)")
    args = ap.parse_args()
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    import export_gpt2

    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="pianola-gpt2-bench-"))
    ckpt, pkg, prompt_file = work / "checkpoint", work / "package", work / "prompt.json"
    if not (pkg / "pianola-model.json").exists():
        torch.manual_seed(0)
        cfg = GPT2Config(n_layer=12, n_embd=512, n_head=8, n_inner=2048, vocab_size=20000, n_positions=2048,
                         activation_function="gelu_new", bos_token_id=2, eos_token_id=3, pad_token_id=0)
        model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()
        model.save_pretrained(ckpt)
        t0 = time.perf_counter()
        export_gpt2.write_package(model, pkg, "random weights (tools/bench/gpt2_bench.py, seed 0)", "none", {"doSample": False})
        print(f"exported in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    g = torch.Generator().manual_seed(1)
    prompt = [2] + torch.randint(5, 20000, (PROMPT - 1,), generator=g).tolist()
    prompt_file.write_text(json.dumps({"prompt": prompt}))

    py = run([sys.executable, "-c", PY_SIDE, str(ckpt), str(prompt_file), str(args.threads), str(NEW)])
    java = run(["java", "-Xmx2g", f"-Dpianola.threads={args.threads}", "-cp", classpath(), "dev.pianola.bench.Gpt2Bench",
                str(pkg), str(prompt_file), str(NEW)])
    same = sum(1 for a, b in zip(py["tokens"][:64], java["tokens"][:64]) if a == b)
    print(f"GPT-2 12x512, vocab 20000, prompt {PROMPT}, {NEW} new tokens, greedy, {args.threads} threads")
    print(f"{'':14}{'Java/ORT':>12}{'PyTorch':>12}{'ratio':>10}")
    for key, label, better_low in [("prefill_ms", "prefill ms", True), ("tokens_per_s", "tokens/s", False),
                                   ("peak_rss_mib", "peak RSS MiB", True)]:
        print(f"{label:14}{java[key]:12.1f}{py[key]:12.1f}{java[key] / py[key]:10.2f}")
    print(f"first 64 greedy tokens identical: {same}/64")
    print(json.dumps({"java": {k: v for k, v in java.items() if k != "tokens"},
                      "pytorch": {k: v for k, v in py.items() if k != "tokens"}, "same_first_64": same}))


if __name__ == "__main__":
    main()

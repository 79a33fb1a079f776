"""GPU check: every engine on CUDA and on the CPU, side by side on the same inputs, and the ratio.

Run through `tools/bench/run gpu`, which first says in one line (and exits 0) when this machine has no
NVIDIA driver, builds the GPU build (mvn -Pcuda; ONNX Runtime's onnxruntime_gpu jar, CUDA 12 + cuDNN 9)
and makes the full-size random-weight packages the other benches use (once, in --work). Then, for
each device in --devices (default cuda then cpu), each in a JVM of its own:
  Basic Pitch    pianola transcribe AUDIO --device D --json: compute seconds
  GPT-2 (REMI)   Gpt2Bench: prefill ms, tokens/s (greedy, --new tokens after a 512-token prompt)
  Perceiver AR   PerceiverArBench: prefill ms, tokens/s (the model card's config, --new tokens)
  Pop2Piano      Pop2PianoBench on AUDIO at --bpm: features ms (Java, no model), encoder ms, decode ms,
                 tokens/s, real-time factor
and prints each figure for both devices with the speed-up of the first over the second, and whether
the greedy tokens agree (float kernels differ between CUDA and the CPU: a late difference is rounding).
If CUDA does not start, the first device's run fails with exit 5 and its one-line reason, printed here.
Figures on a machine with CUDA 12: none yet (the project's machine has no GPU).

usage: python3 tools/bench/gpu_check.py --classpath CP [--work DIR] [--devices cuda,cpu] [--threads N]
       [--new N] [--audio WAV --bpm BPM] [--gpt2 DIR] [--perceiver-ar DIR] [--pop2piano DIR]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def java(cp, threads, main, *args):
    """One Java run; its JSON (the CLI's, pretty-printed; the benches' last line), or exit with its error line."""
    cmd = ["java", "-Xmx4g", "-Djava.awt.headless=true", f"-Dpianola.threads={threads}", f"-Dpianola.root={ROOT}",
           "-cp", cp, main, *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        lines = p.stderr.strip().splitlines() or [f"exit {p.returncode}"]
        sys.exit(f"gpu: {main.rsplit('.', 1)[-1]} {' '.join(map(str, args[-2:]))}: {lines[-1]}")
    out = p.stdout.strip()
    return json.loads(out if out.startswith("{") else out.splitlines()[-1])


def same_prefix(a, b):
    """How many leading tokens agree (rows compared one after another for Pop2Piano)."""
    flat = lambda t: [x for row in t for x in row] if t and isinstance(t[0], list) else t
    a, b = flat(a), flat(b)
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"{n}/{max(len(a), len(b))}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--classpath", required=True, help="the GPU build's runtime class path (tests + engine classes first)")
    ap.add_argument("--work", default=str(pathlib.Path(tempfile.gettempdir()) / "pianola-gpu-check"))
    ap.add_argument("--devices", default="cuda,cpu", help="two devices, compared first against second")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads for the CPU side")
    ap.add_argument("--new", type=int, default=256, help="new tokens for GPT-2 and Perceiver AR")
    ap.add_argument("--audio", default=str(ROOT / "examples" / "demo.wav"))
    ap.add_argument("--bpm", type=float, default=108, help="the audio's tempo, for Pop2Piano's beat grid")
    ap.add_argument("--gpt2", help="package folder (default WORK/gpt2/package, with its prompt.json beside it)")
    ap.add_argument("--perceiver-ar", help="package folder (default WORK/perceiver-ar/package)")
    ap.add_argument("--pop2piano", help="package folder (default WORK/pop2piano)")
    args = ap.parse_args()
    work, devices, cp = pathlib.Path(args.work), args.devices.split(","), args.classpath
    gpt2 = pathlib.Path(args.gpt2 or work / "gpt2" / "package")
    par = pathlib.Path(args.perceiver_ar or work / "perceiver-ar" / "package")
    p2p = pathlib.Path(args.pop2piano or work / "pop2piano")
    par_prompt = json.loads((par.parent / "prompt.json").read_text())

    rows = []  # (engine, figure, first, second, higher is better)
    tokens = {}
    with tempfile.TemporaryDirectory() as tmp:
        for d in devices:
            bp = java(cp, args.threads, "dev.pianola.cli.Main", "transcribe", args.audio, "-o", f"{tmp}/{d}.mid",
                      "--json", "--quiet", "--force", "--device", d)
            g = java(cp, args.threads, "dev.pianola.bench.Gpt2Bench", gpt2, gpt2.parent / "prompt.json", args.new, d)
            p = java(cp, args.threads, "dev.pianola.bench.PerceiverArBench", par, par.parent / "prompt.json", args.new,
                     par_prompt["num_latents"], d)
            q = java(cp, args.threads, "dev.pianola.bench.Pop2PianoBench", p2p, args.audio, "--bpm", args.bpm, "composer1",
                     args.threads, "--device", d)
            tokens[d] = {"GPT-2": g["tokens"], "Perceiver AR": p["tokens"], "Pop2Piano": q["tokens"]}
            rows.append([("Basic Pitch", "compute s", bp["computeSeconds"], False),
                         ("GPT-2 (REMI)", "prefill ms", g["prefill_ms"], False), ("", "tokens/s", g["tokens_per_s"], True),
                         ("Perceiver AR", "prefill ms", p["prefill_ms"], False), ("", "tokens/s", p["tokens_per_s"], True),
                         ("Pop2Piano", "features ms", q["read_ms"] + q["features_ms"], False),
                         ("", "encoder ms", q["encoder_ms"], False), ("", "decode ms", q["decode_ms"], False),
                         ("", "tokens/s", q["tokens_per_s"], True), ("", "RTF", q["rtf"], False)])
            used = {bp["device"], g["device"], p["device"], q["device"]}
            if used != {d} and d != "auto":
                sys.exit(f"gpu: asked for {d}, ran on {sorted(used)}")
    a, b = devices
    print(f"{len(tokens[a]['Pop2Piano'])} Pop2Piano segments of {args.audio}; {args.new} new tokens; "
          f"CPU side {args.threads} threads; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':14}{'':13}{a:>10}{b:>10}  {a} speed-up")
    for (engine, figure, x, better_high), (_, _, y, _) in zip(rows[0], rows[1]):
        speedup = (x / y) if better_high else (y / x if x else float("nan"))
        print(f"{engine:14}{figure:13}{x:10.3f}{y:10.3f}  {speedup:.2f}x")
    for engine in tokens[a]:
        print(f"{engine}: greedy tokens identical on both for the first {same_prefix(tokens[a][engine], tokens[b][engine])}")


if __name__ == "__main__":
    main()

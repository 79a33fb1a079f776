"""How far an int8 MusicGen package (export_musicgen.py --precision int8) agrees with its float32 package.

    python tools/export/musicgen_agreement.py [--float32 PKG] [--converted PKG] [--seconds 10] [--threads 2]

Defaults: the benchmark's packages in /tmp/pianola-musicgen-bench (package and package-int8, random
weights at musicgen-small's sizes, made by `tools/bench/run musicgen --precision int8`); for a trained
checkpoint, export it twice and pass both folders. One text prompt (the benchmark's), guidance 3,
greedy, --seconds of music; both packages run in ONNX Runtime (Python) with the loop the Java port
follows (tools/reference/musicgen_fixtures.py ort_generate). Printed:
  top-1 per codebook  share of the steps where the int8 graph's argmax (after guidance) equals
                      float32's, both fed float32's greedy codes (teacher forcing); only the
                      positions the delay pattern leaves free count
  first divergence    the frame at which the int8 package's own greedy codes first leave float32's,
                      per codebook, and how many of all codes agree (after a divergence the two are
                      different music, so agreement there is chance)
  top-2 gap           float32's median margin of its best logit over the runner-up (after guidance)
  logit noise         median over steps of the standard deviation of int8 - float32 logits (after
                      guidance): how much noise the conversion adds, to hold against the gap

What agreement means on random weights: tools/export/README.md (MusicGen int8). Needs the pins of
tools/reference/requirements-musicgen.txt.
"""
import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np
from tokenizers import Tokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
sys.path.insert(0, str(ROOT / "tools" / "bench"))
import musicgen_fixtures as fixtures  # noqa: E402  (the ORT loop the Java port follows)
from musicgen_bench import PROMPT  # noqa: E402
GUIDANCE = 3.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--float32", default="/tmp/pianola-musicgen-bench/package")
    ap.add_argument("--converted", default="/tmp/pianola-musicgen-bench/package-int8")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    f32, conv = pathlib.Path(args.float32), pathlib.Path(args.converted)
    m = json.loads((conv / "pianola-model.json").read_text())
    c = m["config"]
    K = c["num_codebooks"]
    frames = round(args.seconds * c["frame_rate"])
    steps = frames + K // c["audio_channels"] - 1
    ids = np.array([Tokenizer.from_file(str(f32 / "tokenizer.json")).encode(PROMPT).ids], dtype=np.int64)
    mask = np.ones_like(ids)
    print(f"{m.get('precision', 'float32')} ({conv}) against float32 ({f32}); prompt {PROMPT!r}, guidance {GUIDANCE:g}, "
          f"greedy, {steps} steps, {args.threads} threads; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def run(pkg, **kw):
        t = time.perf_counter()
        logits = []
        codes, _ = fixtures.ort_generate(pkg, ids, mask, GUIDANCE, steps, logits_out=logits, threads=args.threads, **kw)
        print(f"  {pkg.name}{' (fed float32 codes)' if 'follow' in kw else ''}: {time.perf_counter() - t:.0f} s", file=sys.stderr)
        return codes, np.stack(logits)  # codes [1, K, frames], logits [steps, K, vocab]

    f32_codes, f32_logits = run(f32)
    chosen = f32_logits.argmax(-1)
    _, forced_logits = run(conv, follow=list(chosen))
    conv_codes, _ = run(conv)

    # the delay pattern: step t writes position t + 1 of every row; row k's free positions are k + 1 .. k + frames
    pattern = fixtures.delay_mask(np.full((K, 1), c["decoder_start_token_id"], np.int64), K, c["pad_token_id"], steps + 1,
                                  c["audio_channels"])
    free = pattern[:, 1:].T == -1  # [steps, K]
    agree = forced_logits.argmax(-1) == chosen
    top2 = np.sort(f32_logits, axis=-1)[..., -2:]
    gap = top2[..., 1] - top2[..., 0]  # [steps, K]
    noise = (forced_logits - f32_logits).std(axis=-1)  # [steps, K]
    print(f"{'codebook':10}{'top-1 (teacher-forced)':>24}{'first divergence (frame)':>26}{'codes equal':>14}"
          f"{'top-2 gap (median)':>20}{'logit noise (sd)':>18}")
    for k in range(K):
        same = f32_codes[0, k] == conv_codes[0, k]
        first = int(np.argmin(same)) if not same.all() else None
        f = free[:, k]
        print(f"{k:<10}{agree[f, k].mean():24.3f}{'never' if first is None else first:>26}"
              f"{f'{same.sum()}/{same.size}':>14}{np.median(gap[f, k]):20.3f}{np.median(noise[f, k]):18.3f}")
    same = f32_codes == conv_codes
    print(f"{'all':10}{agree[free].mean():24.3f}{'':>26}{f'{same.sum()}/{same.size}':>14}"
          f"{np.median(gap[free]):20.3f}{np.median(noise[free]):18.3f}")


if __name__ == "__main__":
    sys.exit(main())

"""How far a converted GPT-2 package (int8 or float16, precision.py) agrees with its float32 package.

    python tools/export/agreement.py --work DIR [--precision int8] [--prompts 4] [--prompt-tokens 256] [--new 128]
    python tools/export/agreement.py --float32 PKG --converted PKG ...     (e.g. the trained Maestro package)

With --work, a full-size random-weight GPT-2 (Maestro-REMI-bpe20k's architecture, 12 x 512, torch
seed 0) whose vocabulary is the test tokenizer's (tests/fixtures/remi/tokenizer.json, 1000 ids) is
exported by export_gpt2.py twice, float32 and converted, into DIR (kept for the next run).

Prompts are real music: the corpus files (/work/shared/corpus/midi/piano/*.mid) as the engine
tokenises them, i.e. the REMI+BPE ids of tests/fixtures/remi/remi_parity.json, which Java's
RemiTokenizer reproduces id for id (RemiParityTest); BOS first, as RemiContinuation feeds them.
Both graphs run in ONNX Runtime fed as Java's KvDecoder feeds them (prompt with an empty cache, then
one token per step). Printed per prompt and in total:
  prompt top-1         share of prompt positions where both graphs' argmax agree (the prefill pass)
  continuation top-1   share of steps where they agree, both fed the float32 graph's greedy answer
  first divergence     the step at which the converted graph's own greedy answer leaves float32's
  note F1              the two greedy answers decoded to notes by the engine's tokenizer and scored
                       against each other (dev.pianola.bench.RemiAnswerNotes; onset within 50 ms)
  gap prompt / cont.   median distance between float32's two best logits over the prompt positions
                       and over the greedy steps: how close to a tie the argmax is, so how little
                       noise it takes to flip it
  logit noise          median over prompt positions of the standard deviation of (converted -
                       float32) logits: the size of the noise the conversion adds

What agreement means on random weights: a random GPT-2's next-token distribution is nearly
uniform (its best logits lie close together, compare the top-2 gap with the logit noise), so its
argmax flips under noise that a trained model's peaked distribution would shrug off, and once one
greedy token differs the two answers are different texts. Its greedy answers also tend to fall into
loops, which agree for long stretches once both graphs are in one. On random weights these figures are a pessimistic
lower bound for the graph conversion, not a statement about trained checkpoints; the trained package
has to be measured with --float32/--converted.

Needs the pins of requirements.txt and, for note F1, this checkout compiled (mvn -o -q compile -pl engine,tests).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
import export_gpt2  # noqa: E402
import precision as precisions  # noqa: E402

TOKENIZER = ROOT / "tests" / "fixtures" / "remi" / "tokenizer.json"
PARITY = ROOT / "tests" / "fixtures" / "remi" / "remi_parity.json"
BOS = 2


def make_packages(work, precision):
    """The float32 and converted packages of a full-size random GPT-2 over the test tokenizer's ids."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    sys.path.insert(0, str(ROOT / "tools" / "reference"))
    from remi_model_fixture import vocabulary_size
    f32, conv = work / "float32", work / precision
    if not (f32 / "pianola-model.json").exists() or not (conv / "pianola-model.json").exists():
        torch.manual_seed(0)
        cfg = GPT2Config(n_layer=12, n_embd=512, n_head=8, n_inner=2048, vocab_size=vocabulary_size(TOKENIZER),
                         n_positions=2048, activation_function="gelu_new", bos_token_id=BOS, eos_token_id=3, pad_token_id=0)
        model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()
        source = "random weights (tools/export/agreement.py, seed 0)"
        for out, p in ((f32, precisions.FLOAT32), (conv, precision)):
            export_gpt2.write_package(model, out, source, "none", {"doSample": False}, [TOKENIZER], precision=p)
    return f32, conv


class Decoder:
    """One package's decoder graph, fed as dev.pianola.runtime.KvDecoder feeds it (batch 1)."""

    def __init__(self, pkg, threads):
        manifest = json.loads((pkg / "pianola-model.json").read_text())
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(pkg / manifest["graphs"]["decoder"]["file"]), options,
                                            providers=["CPUExecutionProvider"])
        cfg = manifest["config"]
        self.shape = (1, cfg["n_head"], 0, cfg["n_embd"] // cfg["n_head"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.precision = manifest.get("precision", precisions.FLOAT32)

    def start(self, prompt):
        """Prefill: logits at every prompt position [len, vocab]; the cache is kept for step()."""
        self.length = 0
        self.past = [np.zeros(self.shape, np.float32) for _ in self.inputs[3:]]
        return self._run(prompt)

    def step(self, token):
        return self._run([token])[-1]

    def _run(self, ids):
        feeds = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, self.length + len(ids)), np.int64),
                 "position_ids": np.arange(self.length, self.length + len(ids), dtype=np.int64)[None]}
        feeds.update(zip(self.inputs[3:], self.past))
        out = self.session.run(self.outputs, feeds)
        self.past = out[1:]
        self.length += len(ids)
        return out[0][0]


def greedy(decoder, prompt, new, forced=None):
    """Greedy argmaxes after `prompt`, feeding `forced` tokens instead of its own when given;
    returns the argmax at every step and the float32-side top-2 gaps."""
    logits = decoder.start(prompt)[-1]
    chosen, gaps = [], []
    for i in range(new):
        top2 = np.sort(logits)[-2:]
        gaps.append(float(top2[1] - top2[0]))
        chosen.append(int(np.argmax(logits)))
        if i + 1 < new:
            logits = decoder.step(forced[i] if forced is not None else chosen[-1])
    return chosen, gaps


def prompts(count, length):
    """BOS + the first `length - 1` engine REMI+BPE ids of the first `count` corpus files long enough."""
    files = [f for f in json.loads(PARITY.read_text())["files"] if len(f["bpe_ids"]) >= length - 1]
    return [(f["file"], [BOS] + f["bpe_ids"][:length - 1]) for f in files[:count]]


def note_f1(tokenizer, pairs):
    """Note F1 of each pair of answers, from the engine's tokenizer (RemiAnswerNotes)."""
    cp = ROOT / "engine" / "target" / "bench.classpath"
    subprocess.run(["mvn", "-B", "-q", "-o", "-pl", "engine", "dependency:build-classpath", "-Dmdep.includeScope=runtime",
                    f"-Dmdep.outputFile={cp}"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    classes = f"{ROOT / 'tests' / 'target' / 'classes'}:{ROOT / 'engine' / 'target' / 'classes'}:{cp.read_text().strip()}"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"pairs": pairs}, f)
    try:
        out = subprocess.run(["java", "-cp", classes, "dev.pianola.bench.RemiAnswerNotes", str(tokenizer), f.name],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out.strip().splitlines()[-1])["pairs"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", help="folder for the random-weight packages (made once, then reused)")
    ap.add_argument("--precision", choices=sorted(set(precisions.CHOICES) - {"float32"}), default="int8")
    ap.add_argument("--float32", help="a float32 package (instead of --work)")
    ap.add_argument("--converted", help="the same checkpoint exported with --precision (instead of --work)")
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--prompt-tokens", type=int, default=256)
    ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.work:
        f32_pkg, conv_pkg = make_packages(pathlib.Path(args.work), precisions.CHOICES[args.precision])
    elif args.float32 and args.converted:
        f32_pkg, conv_pkg = pathlib.Path(args.float32), pathlib.Path(args.converted)
    else:
        ap.error("give --work, or --float32 and --converted")
    tokenizer = conv_pkg / "tokenizer.json"
    f32, conv = Decoder(f32_pkg, args.threads), Decoder(conv_pkg, args.threads)
    print(f"{conv.precision} ({conv_pkg}) against float32 ({f32_pkg}); load average {os.getloadavg()}")
    rows, pairs, all_gaps = [], [], []
    for name, prompt in prompts(args.prompts, args.prompt_tokens):
        a, b = f32.start(prompt), conv.start(prompt)
        prompt_agree = np.mean(np.argmax(a, -1) == np.argmax(b, -1))
        noise = float(np.median(np.std(b - a, axis=-1)))
        top2 = np.sort(a, axis=-1)[:, -2:]
        prompt_gap = float(np.median(top2[:, 1] - top2[:, 0]))
        answer, gaps = greedy(f32, prompt, args.new)
        forced, _ = greedy(conv, prompt, args.new, forced=answer)
        own, _ = greedy(conv, prompt, args.new)
        step_agree = np.mean(np.array(answer) == np.array(forced))
        first = next((i for i, (a, b) in enumerate(zip(answer, own)) if a != b), args.new)
        rows.append({"prompt": name, "prompt_top1": float(prompt_agree), "continuation_top1": float(step_agree),
                     "first_divergence": first, "prompt_top2_gap": prompt_gap,
                     "continuation_top2_gap": statistics.median(gaps), "logit_noise": noise})
        pairs.append({"prompt": prompt, "a": answer, "b": own})
        all_gaps += gaps
    if tokenizer.exists():
        for r, s in zip(rows, note_f1(tokenizer, pairs)):
            # two empty answers have no F1: no notes to agree on
            r.update(notes_float32=s["notes_a"], notes_converted=s["notes_b"],
                     note_f1=s["f1"] if s["notes_a"] + s["notes_b"] else float("nan"))
    print(f"{len(rows)} prompts of {args.prompt_tokens} tokens, {args.new} greedy steps each")
    print(f"{'prompt':18}{'prompt top-1':>14}{'cont. top-1':>13}{'diverges at':>13}{'notes f32/conv':>16}{'note F1':>9}"
          f"{'gap prompt':>12}{'gap cont.':>11}{'logit noise':>13}")
    for r in rows:
        notes = f"{r.get('notes_float32', '-')}/{r.get('notes_converted', '-')}"
        print(f"{r['prompt']:18}{r['prompt_top1']:14.3f}{r['continuation_top1']:13.3f}{r['first_divergence']:13d}"
              f"{notes:>16}{r.get('note_f1', float('nan')):9.3f}{r['prompt_top2_gap']:12.4f}"
              f"{r['continuation_top2_gap']:11.4f}{r['logit_noise']:13.4f}")
    def mean(key):
        values = [r[key] for r in rows if key in r and r[key] == r[key]]  # NaN (no notes) left out
        return statistics.mean(values) if values else float("nan")
    print(f"{'mean':18}{mean('prompt_top1'):14.3f}{mean('continuation_top1'):13.3f}{mean('first_divergence'):13.1f}"
          f"{'':16}{mean('note_f1'):9.3f}{mean('prompt_top2_gap'):12.4f}"
          f"{statistics.median(all_gaps):11.4f}{mean('logit_noise'):13.4f}")
    print("On random weights the logits are nearly uniform (top-2 gap against logit noise), so quantization noise flips the argmax"
          " far more often than it would in a trained model: these figures are a pessimistic lower bound, not a"
          " statement about trained checkpoints.")
    print(json.dumps({"precision": conv.precision, "load_average": os.getloadavg(), "rows": rows}))


if __name__ == "__main__":
    main()

"""How far an int8 Pop2Piano package (export_pop2piano.py --precision int8) agrees with its float32 package.

    /tmp/p2ptorch/bin/python tools/export/pop2piano_agreement.py --float32 PKG --converted PKG
        [--audio WAV --beats FILE] [--segments 24] [--composer composer1] [--threads 2]

Input: real audio and its beat times (default: the song tools/bench/pop2piano_bench.py renders, Funkytown's
first 180 s with its MIDI tempo grid, in /tmp/pianola-p2p-bench; run that benchmark once to make them). The
features are Hugging Face's Pop2PianoFeatureExtractor's (essentia bypassed: the given beats), the first
--segments segments (4 beats each). Each segment is decoded alone (batch 1), as the live cover decodes a
bar, in ONNX Runtime fed as Java's Pop2PianoModel feeds the graphs (decode_row). Printed per segment and
in total:
  top-1            share of steps where both graphs' argmax agree, both fed float32's greedy tokens
  diverges at      the step at which the converted graph's own greedy row leaves float32's ("never")
  notes f32/conv   notes of each greedy row (the tokenizer's relative_tokens_ids_to_notes, the reference's)
  note F1          of the two rows' notes against each other: same pitch, onsets within 50 ms
  top-2 gap        median distance between float32's two best logits over the steps: how close to a
                   tie the argmax is, so how little noise it takes to flip it
  logit noise      median over the steps of the standard deviation of (converted - float32) logits

What agreement means on random weights: the full-size random model's logits are peaked (the fixture
scales lm_head by 8), but its rows still wander through tokens without musical sense, and once one
greedy token differs the rest of the row is another text; rows that loop agree for long stretches. So
on random weights these figures are a rough lower bound for what the conversion does, not a statement
about a trained checkpoint: measure that with --float32/--converted on its two packages.
"""
import argparse
import json
import pathlib
import statistics
import sys

import numpy as np
import onnxruntime as ort

EOS, START, MAX_LENGTH = 1, 0, 256
ONSET_TOLERANCE_S = 0.05


class Package:
    """A Pop2Piano package's encoder and decoder, fed as dev.pianola.models.pop2piano.Pop2PianoModel feeds them."""

    def __init__(self, pkg, threads):
        pkg = pathlib.Path(pkg)
        self.manifest = json.loads((pkg / "pianola-model.json").read_text())
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        graphs = self.manifest["graphs"]
        self.encoder = ort.InferenceSession(str(pkg / graphs["encoder"]["file"]), options, providers=["CPUExecutionProvider"])
        self.decoder = ort.InferenceSession(str(pkg / graphs["decoder"]["file"]), options, providers=["CPUExecutionProvider"])
        self.past_names = [i.name for i in self.decoder.get_inputs() if i.name.startswith("past_key_values.")]
        self.out_names = [o.name for o in self.decoder.get_outputs()]
        cfg = self.manifest["config"]
        self.empty = np.zeros((1, cfg["num_heads"], 0, cfg["d_kv"]), np.float32)
        self.composers = json.loads((pkg / "composers.json").read_text())
        self.precision = self.manifest.get("precision", "float32")

    def composer_index(self, name):
        return self.composers[name] - min(self.composers.values())

    def decode_row(self, features, composer_index, forced=None):
        """One segment [frames, 512] alone: the start token, then greedy steps (or `forced` tokens fed instead
        of its own, same count) until EOS or max length. Returns its argmax per step and the logits per step."""
        mask = np.ones((1, features.shape[0] + 1), np.int64)
        hidden = self.encoder.run(None, {"input_features": features[None].astype(np.float32),
                                         "composer_index": np.array([composer_index], np.int64), "attention_mask": mask})[0]
        past = {n: self.empty for n in self.past_names}
        fed, chosen, logits_seen = START, [], []
        for step in range(MAX_LENGTH - 1):
            feeds = {"input_ids": np.array([[fed]], np.int64), "encoder_hidden_states": hidden,
                     "encoder_attention_mask": mask, "use_cache_branch": np.array([step > 0]), **past}
            out = dict(zip(self.out_names, self.decoder.run(self.out_names, feeds)))
            logits = out["logits"][0, -1]
            for n in self.past_names:
                # the cross-attention keys/values come from the first step only (later steps output placeholders)
                if step == 0 or ".decoder." in n:
                    past[n] = out[n.replace("past_key_values.", "present.")]
            chosen.append(int(np.argmax(logits)))
            logits_seen.append(logits)
            fed = forced[step] if forced is not None else chosen[-1]
            if forced is not None and step + 1 >= len(forced):
                break
            if forced is None and chosen[-1] == EOS:
                break
        return chosen, logits_seen


def notes(tokenizer, row_tokens, row, ext):
    """(onset seconds, pitch) of a segment's greedy row, as the reference's tokenizer decodes it."""
    start = row * 8
    found = tokenizer.relative_tokens_ids_to_notes(np.array(row_tokens), start_idx=start, cutoff_time_idx=start + 12)
    return [(float(ext[int(n[0])]), int(n[2])) for n in found if int(n[0]) < len(ext)]


def note_f1(a, b):
    """F1 of two note lists against each other: same pitch, onsets within 50 ms, each note matched once."""
    if not a and not b:
        return 1.0
    used, hits = set(), 0
    for onset, pitch in a:
        for j, (o2, p2) in enumerate(b):
            if j not in used and p2 == pitch and abs(o2 - onset) <= ONSET_TOLERANCE_S:
                used.add(j)
                hits += 1
                break
    return 2 * hits / (len(a) + len(b))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--float32", required=True)
    ap.add_argument("--converted", required=True)
    ap.add_argument("--audio", default="/tmp/pianola-p2p-bench/Funkytown-180s.wav")
    ap.add_argument("--beats", default="/tmp/pianola-p2p-bench/Funkytown-180s.beats.txt")
    ap.add_argument("--segments", type=int, default=24)
    ap.add_argument("--composer", default="composer1")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not pathlib.Path(args.audio).exists() or not pathlib.Path(args.beats).exists():
        sys.exit(f"{args.audio} / {args.beats} missing: run tools/bench/run pop2piano once (it renders them), or give --audio and --beats")
    import soundfile as sf
    from transformers.models.pop2piano.feature_extraction_pop2piano import Pop2PianoFeatureExtractor
    from transformers.models.pop2piano.tokenization_pop2piano import Pop2PianoTokenizer

    f32, conv = Package(args.float32, args.threads), Package(args.converted, args.threads)
    tokenizer = Pop2PianoTokenizer(vocab=str(pathlib.Path(args.float32) / "vocab.json"))
    audio, sr = sf.read(args.audio, dtype="float32", always_2d=False)
    beats = np.array(pathlib.Path(args.beats).read_text().split(), dtype=np.float32)
    fe = Pop2PianoFeatureExtractor()
    fe.extract_rhythm = lambda audio: (None, beats, None, None, None)  # essentia bypassed: the given beats
    feats = fe(audio=audio, sampling_rate=sr, return_tensors="np")
    x, ext = feats["input_features"], feats["extrapolated_beatstep"][0]
    composer = f32.composer_index(args.composer)
    print(f"{args.audio}: {x.shape[0]} segments x {x.shape[1]} frames; the first {min(args.segments, x.shape[0])}, "
          f"{args.composer}, batch 1; float32 {args.float32} vs {conv.precision} {args.converted}")
    print(f"{'segment':>8}{'steps':>7}{'top-1':>8}{'diverges at':>13}{'notes f32/conv':>16}{'note F1':>9}{'top-2 gap':>11}{'logit noise':>13}")
    rows = []
    for s in range(min(args.segments, x.shape[0])):
        ref, ref_logits = f32.decode_row(x[s], composer)
        forced, conv_logits = conv.decode_row(x[s], composer, forced=ref)
        own, _ = conv.decode_row(x[s], composer)
        agree = sum(a == b for a, b in zip(forced, ref)) / len(ref)
        diverge = next((i for i, (a, b) in enumerate(zip(own, ref)) if a != b), None)
        if diverge is None and len(own) != len(ref):
            diverge = min(len(own), len(ref))
        gaps = [float(np.diff(np.sort(l)[-2:])[0]) for l in ref_logits]
        noise = [float(np.std(c - r)) for c, r in zip(conv_logits, ref_logits)]
        n_ref, n_own = notes(tokenizer, ref, s, ext), notes(tokenizer, own, s, ext)
        f1 = note_f1(n_ref, n_own)
        rows.append({"segment": s, "steps": len(ref), "top1": agree, "diverges_at": diverge, "notes": [len(n_ref), len(n_own)],
                     "note_f1": f1, "top2_gap": statistics.median(gaps), "logit_noise": statistics.median(noise)})
        print(f"{s:8d}{len(ref):7d}{agree:8.3f}{'never' if diverge is None else diverge:>13}"
              f"{f'{len(n_ref)}/{len(n_own)}':>16}{f1:9.3f}{statistics.median(gaps):11.3f}{statistics.median(noise):13.4f}", flush=True)
    steps = sum(r["steps"] for r in rows)
    total = {"segments": len(rows), "steps": steps,
             "top1": sum(r["top1"] * r["steps"] for r in rows) / steps,
             "rows_equal": sum(r["diverges_at"] is None for r in rows),
             "note_f1_mean": statistics.mean(r["note_f1"] for r in rows),
             "notes": [sum(r["notes"][0] for r in rows), sum(r["notes"][1] for r in rows)],
             "top2_gap_median": statistics.median(r["top2_gap"] for r in rows),
             "logit_noise_median": statistics.median(r["logit_noise"] for r in rows)}
    print(f"total: top-1 {total['top1']:.3f} over {steps} steps; {total['rows_equal']}/{len(rows)} greedy rows equal; "
          f"note F1 mean {total['note_f1_mean']:.3f} ({total['notes'][0]} / {total['notes'][1]} notes); "
          f"median top-2 gap {total['top2_gap_median']:.3f}, logit noise {total['logit_noise_median']:.4f}")
    print(json.dumps({"total": total, "segments": rows}))


if __name__ == "__main__":
    sys.exit(main())

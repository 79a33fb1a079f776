"""Side-by-side benchmark: Pianola's Java Pop2Piano (ONNX Runtime) vs Hugging Face PyTorch on one song.

Model: the full-size random-weight Pop2Piano of tools/reference/pop2piano_model_fixtures.py --size full
(Pop2PianoConfig(tie_word_embeddings=False), sweetcocoa/pop2piano's architecture: T5 6+6 layers, d_model 512,
8 heads, d_ff 2048, 2400 ids; weights from random_model("full"), seed 20261122). Both sides get the same
weights: the Java package is that script's export (--package DIR, made here with the same calls if DIR has
none), and the PyTorch side loads a checkpoint that this script makes once by importing random_model from
that script, setting the gated feed-forward activation to ReLU as the export does (export_pop2piano
set_activation; Pop2PianoConfig's dense_act_fn is already "relu", so it changes nothing) and calling
save_pretrained into WORK/hf. The token equality of the two sides on the song (printed) checks it.

Song: a real multitrack MIDI from the corpus (default Funkytown, 125 BPM 4/4 from 0) rendered by
`pianola render --mono --sample-rate 44100 --max-seconds S` (never committed); beats: its MIDI tempo grid
(pretty_midi get_beats, float32, every beat before the end of the audio), written to a text file that
both sides read. HF's Pop2PianoFeatureExtractor gets them with its essentia beat tracker bypassed, as
tools/reference/pop2piano_features.py does; Java's Pop2PianoFeatureExtractor.extract gets the same.

Each side runs in its own process, with 2 threads (torch.set_num_threads / ONNX Runtime intra-op):
  features ms     reading the WAV (soundfile / AudioFiles.read) + the feature extractor (resampling to
                  22050 Hz with kaiser_best, log-mel, segments of 8 half-beat steps)
  encoder ms      the encoder (composer frame + T5 encoder) alone on the same inputs as generate gives it,
                  timed separately after a 1-segment warm-up: PyTorch one batch of all segments, as its
                  generate does; Java chunks of 32 (Pop2PianoModel.DEFAULT_BATCH_ROWS), as its generate does
  decode ms       generate's time minus the encoder's
  tokens/s        generated tokens (each row's tokens after the start token through its EOS, or all 255)
                  / decode ms; the same count on both sides when the tokens are equal. Random weights do
                  emit EOS here (the fixture script favours it), so rows end at different lengths; nothing
                  is forced (min_new_tokens would mask EOS and change the tokens), the counts are printed.
  row-steps/s     rows x decoder steps computed (finished rows included) / decode ms: the decoder's throughput
  loop steps/s    (printed below the table) steps per second of the batched loop, each advancing every row
                  of the batch: not comparable between the sides (batch 32 vs all segments)
  live steps/s    the first K segments decoded one at a time (batch 1: a live stream cannot batch segments
                  whose audio has not arrived), steps / (generate - encoder) time: one stream's speed
  RTF             (features + generate) / audio seconds; model loading not included
  peak RSS MiB    of that process (ru_maxrss / VmHWM), before Java's parity check
Keeping up live: a segment is 8 half-beat steps = 4 beats (2 s at 120 BPM) and takes up to 255 decoder
steps, so one stream needs 127.5 steps/s at 120 BPM; the issue's "256 tokens per 2 bars = 64 steps/s"
counts 8 beats per segment, which is not what the extractor cuts (its num_bars=2 with half-beat steps
gives 4 beats); both are printed next to the measured rate.
Parity: the Java side also reruns the cases of tests/fixtures/pop2piano/model-full.json.gz (HF generate's
tokens for two short inputs, features from their recorded essentia beats) and compares every row.
A benchmark, not a test: it prints figures and never fails on them.

Measured 2026-11-22 on this project's 2-core VM (nothing else running: a concurrent test run in another
checkout was waited out; load average 1 / 5 / 15 min before: 2.19 2.51 2.37 and 1.57 2.06 2.22), torch 2.5.1,
transformers 4.57.6, ORT 1.20 Java; Funkytown, 182.0 s (180 s + release tail), 380 beats, 96 segments x 42
frames, composer1, two runs (tools/bench/run pop2piano):
                          Java/ORT          PyTorch           ratio Java/PyTorch
  features ms             38013 / 45086     12129 / 13444     3.13 / 3.35
  encoder ms               1564 / 1710       1517 / 1610      1.03 / 1.06
  decode ms               37834 / 33570     57063 / 57744     0.66 / 0.58
  tokens/s                497.8 / 561.1     328.7 / 324.8     1.51 / 1.73
  live steps/s (batch 1)   86.1 / 107.2      48.4 / 56.5      1.78 / 1.90
  RTF                     0.425 / 0.442     0.389 / 0.400     1.09 / 1.10
  peak RSS MiB             1514 / 1503       1873 / 1874      0.81 / 0.80
Java decodes 1.5-1.7x faster and uses 4/5 of the memory, the encoders are even, but Java's feature
extraction (mostly the kaiser_best resampling of 44.1 kHz audio) is 3.1-3.4x slower than librosa/resampy
(numba) and takes half of Java's total, so the RTF is about 1.1x PyTorch's; both are ~0.4, faster than
real time in batch. Live, one stream at batch 1: 86-107 steps/s (Java) and 48-56 (PyTorch) against 127.5
needed at 120 BPM (64 in the issue's 2-bar reading); the live figure is over 2 segments only and varies.
Tokens: 94/96 rows equal on the song (rows 48 and 66 differ from positions 136 and 12); 16/18 fixture rows
equal (demo composer1 row 1 from 74, demo composer7 row 1 from 125). At all four first differences Java
took HF's second choice where HF's top-2 logit margin was 2.0e-4, 2.4e-4, 7.7e-4 and 2.3e-5 (logits ~25,
medians of the margins ~1.6): float32 near-ties, after which greedy decoding follows a different path.

usage (from the repository root; the Java side is compiled by `tools/bench/run pop2piano`, or by hand
with `mvn -o -q package -DskipTests`):
    /tmp/p2ptorch/bin/python tools/bench/pop2piano_bench.py [--package /tmp/p2p-full] [--work DIR]
        [--midi FILE.mid] [--seconds 180] [--audio WAV --beats FILE] [--composer composer1] [--threads 2]
        [--live-segments 2] [--precision int8]
--precision int8 also makes (once) the same model with an int8 decoder (export_pop2piano.py --precision int8) in
PACKAGE-int8 and runs the Java side on it after the float32 one, printing both side by side with PyTorch.
"""
import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "bench"))
from gpt2_bench import run, classpath, load_average  # noqa: E402

EOS, MAX_LENGTH = 1, 256


def generated(rows):
    """Tokens after the start token through EOS (all of them without EOS), per row."""
    return [(r.index(EOS, 1) + 1 if EOS in r[1:] else len(r)) - 1 for r in rows]


def unpadded(row):
    n = len(row)
    while n > 1 and row[n - 1] == 0:
        n -= 1
    return row[:n]


def torch_side(hf_dir, audio_file, beats_file, composer, threads, live_segments):
    """The PyTorch half, in its own process: prints one JSON line."""
    import resource
    import numpy as np
    import soundfile as sf
    import torch
    from transformers import Pop2PianoForConditionalGeneration
    from transformers.models.pop2piano.feature_extraction_pop2piano import Pop2PianoFeatureExtractor
    torch.set_num_threads(threads)
    model = Pop2PianoForConditionalGeneration.from_pretrained(hf_dir).eval()
    acts = {type(m.act).__name__ for m in model.modules() if hasattr(m, "wi_0") and hasattr(m, "act")}
    assert model.config.dense_act_fn == "relu" and acts == {"ReLU"}, (model.config.dense_act_fn, acts)
    gc = model.generation_config
    beats = np.array(pathlib.Path(beats_file).read_text().split(), dtype=np.float32)
    fe = Pop2PianoFeatureExtractor()
    fe.extract_rhythm = lambda audio: (None, beats, None, None, None)  # essentia bypassed: the given beats

    t0 = time.perf_counter()
    audio, sr = sf.read(audio_file, dtype="float32", always_2d=False)
    read_ms = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    feats = fe(audio=audio, sampling_rate=sr, return_tensors="pt")
    features_ms = (time.perf_counter() - t0) * 1e3
    x = feats["input_features"]

    def encode(inp):
        emb, _ = model.get_mel_conditioner_outputs(input_features=inp, composer=composer, generation_config=gc,
                                                   attention_mask=None)
        return model.encoder(inputs_embeds=emb, attention_mask=torch.ones(emb.shape[:2], dtype=torch.long)).last_hidden_state

    with torch.no_grad():
        encode(x[:1])  # warm-up
        t0 = time.perf_counter()
        encode(x)
        encoder_ms = (time.perf_counter() - t0) * 1e3
        t0 = time.perf_counter()
        out = model.generate(input_features=x, composer=composer)
        generate_ms = (time.perf_counter() - t0) * 1e3
        rows = out.tolist()
        live_enc = live_gen = 0.0
        live_steps, live_same = 0, True
        for s in range(min(live_segments, x.shape[0])):
            t0 = time.perf_counter()
            encode(x[s:s + 1])
            live_enc += (time.perf_counter() - t0) * 1e3
            t0 = time.perf_counter()
            one = model.generate(input_features=x[s:s + 1], composer=composer)
            live_gen += (time.perf_counter() - t0) * 1e3
            live_steps += one.shape[1] - 1
            live_same &= unpadded(one[0].tolist()) == unpadded(rows[s])
    decode_ms = generate_ms - encoder_ms
    gen = sum(generated(rows))
    steps = len(rows[0]) - 1  # one batch: every row steps until the last one ends
    print(json.dumps({
        "audio_seconds": len(audio) / sr, "sample_rate": sr, "beats": int(beats.size), "segments": int(x.shape[0]),
        "frames": int(x.shape[1]), "batch_rows": int(x.shape[0]), "threads": threads,
        "read_ms": read_ms, "features_ms": features_ms, "encoder_ms": encoder_ms, "generate_ms": generate_ms,
        "decode_ms": decode_ms, "generated_tokens": gen, "row_steps": steps * len(rows), "loop_steps": steps,
        "tokens_per_s": gen / (decode_ms / 1e3), "row_steps_per_s": steps * len(rows) / (decode_ms / 1e3),
        "steps_per_s": steps / (decode_ms / 1e3), "compute_s": (read_ms + features_ms + generate_ms) / 1e3,
        "rtf": (read_ms + features_ms + generate_ms) / 1e3 / (len(audio) / sr),
        "live": {"segments": min(live_segments, x.shape[0]), "encoder_ms": live_enc, "decode_ms": live_gen - live_enc,
                 "steps": live_steps, "steps_per_s": live_steps / ((live_gen - live_enc) / 1e3),
                 "same_as_batched": live_same},
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "tokens": rows}))


def fixtures_module():
    spec = importlib.util.spec_from_file_location("pop2piano_model_fixtures", ROOT / "tools/reference/pop2piano_model_fixtures.py")
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    return fx


def make_models(package, hf_dir):
    """The package (as pop2piano_model_fixtures.py --size full writes it) and the HF checkpoint, if missing."""
    if (package / "pianola-model.json").exists() and (hf_dir / "config.json").exists():
        return
    fx = fixtures_module()
    if not (package / "pianola-model.json").exists():
        model = fx.random_model("full")
        vocab = pathlib.Path(tempfile.mkdtemp()) / "vocab.json"
        vocab.write_text(json.dumps({fx.token_name(i): i for i in range(fx.VOCAB)}))
        fx.exporter.write_package(model, fx.COMPOSERS, vocab, package,
                                  source=f"random weights (tools/reference/pop2piano_model_fixtures.py --size full, seed {fx.SEED})",
                                  licence="none (random weights, made for tests)")
    if not (hf_dir / "config.json").exists():
        model = fx.random_model("full")
        fx.exporter.set_activation(model, "relu")  # what write_package does to the model it exports
        model.save_pretrained(hf_dir)


def make_converted(converted):
    """The int8 package: the same random weights as the float32 one, the decoder quantized (export_pop2piano.py
    --precision int8); remade when missing or made before the quantization reached the If branches."""
    manifest = converted / "pianola-model.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("conversion", {}).get("subgraphs"):
        return
    fx = fixtures_module()
    vocab = pathlib.Path(tempfile.mkdtemp()) / "vocab.json"
    vocab.write_text(json.dumps({fx.token_name(i): i for i in range(fx.VOCAB)}))
    fx.exporter.write_package(fx.random_model("full"), fx.COMPOSERS, vocab, converted,
                              source=f"random weights (tools/reference/pop2piano_model_fixtures.py --size full, seed {fx.SEED})",
                              licence="none (random weights, made for tests)", precision="int8-dynamic")


def song(args, work):
    """The WAV and the beats file: given, or rendered from --midi with its MIDI tempo grid."""
    if args.audio:
        if not args.beats:
            sys.exit("bench: --audio needs --beats FILE")
        return pathlib.Path(args.audio), pathlib.Path(args.beats), args.audio
    import numpy as np
    import pretty_midi
    import soundfile as sf
    midi = pathlib.Path(args.midi)
    wav, beats_file = work / f"{midi.stem}-{args.seconds:g}s.wav", work / f"{midi.stem}-{args.seconds:g}s.beats.txt"
    if not wav.exists():
        subprocess.run([str(ROOT / "pianola"), "render", str(midi), "-o", str(wav), "--sample-rate", "44100", "--mono",
                        "--max-seconds", f"{args.seconds:g}", "-q", "--force"], check=True, cwd=ROOT)
    info = sf.info(str(wav))
    duration = info.frames / info.samplerate
    beats = np.asarray(pretty_midi.PrettyMIDI(str(midi)).get_beats(), dtype=np.float32)
    beats = beats[beats < duration]
    beats_file.write_text("\n".join(repr(float(b)) for b in beats) + "\n")  # float32 values, exactly
    return wav, beats_file, f"{midi.name}, first {args.seconds:g} s rendered by pianola render (44.1 kHz mono)"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--side":
        _, _, hf_dir, audio, beats, composer, threads, live = sys.argv
        return torch_side(hf_dir, audio, beats, composer, int(threads), int(live))
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", default="/tmp/p2p-full", help="the Java package (made here if missing)")
    ap.add_argument("--work", default=str(pathlib.Path(tempfile.gettempdir()) / "pianola-p2p-bench"),
                    help="folder for the HF checkpoint, the rendered song and its beats")
    ap.add_argument("--midi", default=str(ROOT / "../shared/corpus/midi/multitrack/Funkytown.mid"))
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--audio", help="a WAV instead of rendering --midi (needs --beats)")
    ap.add_argument("--beats", help="beat times in seconds, whitespace-separated")
    ap.add_argument("--composer", default="composer1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--live-segments", type=int, default=2)
    ap.add_argument("--package-only", action="store_true", help="make --package, run nothing (tools/bench/run gpu)")
    ap.add_argument("--precision", choices=["int8"],
                    help="also bench the same model with an int8 decoder (PACKAGE-int8 beside --package, made once)")
    args = ap.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    package, hf_dir = pathlib.Path(args.package), work / "hf"
    make_models(package, hf_dir)
    converted = package.parent / f"{package.name}-{args.precision}" if args.precision else None
    if converted:
        make_converted(converted)
    if args.package_only:
        return
    wav, beats_file, what = song(args, work)

    load = load_average()
    py = run([sys.executable, __file__, "--side", str(hf_dir), str(wav), str(beats_file), args.composer,
              str(args.threads), str(args.live_segments)])
    load_mid = load_average()
    java = run(["java", "-Xmx2g", "-cp", classpath(), "dev.pianola.bench.Pop2PianoBench", str(package), str(wav),
                str(beats_file), args.composer, str(args.threads), "--live-segments", str(args.live_segments),
                "--fixture", str(ROOT / "tests/fixtures/pop2piano/model-full.json.gz"),
                "--corpus", str(ROOT / "../shared/corpus"), "--root", str(ROOT)])

    conv, load_conv = None, None
    if converted:
        load_conv = load_average()
        conv = run(["java", "-Xmx2g", "-cp", classpath(), "dev.pianola.bench.Pop2PianoBench", str(converted), str(wav),
                    str(beats_file), args.composer, str(args.threads), "--live-segments", str(args.live_segments)])
        for k in ("read_ms", "features_ms"):
            conv.setdefault(k, 0)

    (work / "tokens-java.json").write_text(json.dumps(java["tokens"]))
    (work / "tokens-pytorch.json").write_text(json.dumps(py["tokens"]))
    for side in (java, py):
        side["feat_ms"] = side["read_ms"] + side["features_ms"]
        side["live_steps_per_s"] = side["live"]["steps_per_s"]
    jt, pt = java["tokens"], py["tokens"]
    same_rows = sum(1 for a, b in zip(jt, pt) if unpadded(a) == unpadded(b))
    diffs = []
    for r, (a, b) in enumerate(zip(jt, pt)):
        a, b = unpadded(a), unpadded(b)
        if a != b:
            i = next((i for i, (u, v) in enumerate(zip(a, b)) if u != v), min(len(a), len(b)))
            diffs.append(f"row {r} from position {i}: PyTorch {b[i] if i < len(b) else 'end'}, Java {a[i] if i < len(a) else 'end'}")
    beats_per_segment = 8 / 2  # 8 half-beat steps
    need = (MAX_LENGTH - 1) / (beats_per_segment * 60 / 120)
    print(f"Pop2Piano full size (random weights), {what}: {java['audio_seconds']:.1f} s, {java['beats']} beats, "
          f"{java['segments']} segments x {java['frames']} frames, {args.composer}, {args.threads} threads")
    print(f"load average before the runs: {load}; between: {load_mid}; after: {load_average()}")
    print(f"{'':22}{'Java/ORT':>12}{'PyTorch':>12}{'ratio':>10}")
    for key, label in [("feat_ms", "features ms"), ("encoder_ms", "encoder ms"), ("decode_ms", "decode ms"),
                       ("tokens_per_s", "tokens/s"), ("row_steps_per_s", "row-steps/s"),
                       ("live_steps_per_s", "live steps/s (batch 1)"), ("rtf", "RTF"), ("peak_rss_mib", "peak RSS MiB")]:
        print(f"{label:22}{java[key]:12.3f}{py[key]:12.3f}{java[key] / py[key]:10.2f}")
    print(f"features = read {java['read_ms']:.0f} + extract {java['features_ms']:.0f} ms (Java), "
          f"read {py['read_ms']:.0f} + extract {py['features_ms']:.0f} ms (PyTorch)")
    print(f"generated tokens: Java {java['generated_tokens']}, PyTorch {py['generated_tokens']}; decoder row-steps computed: "
          f"Java {java['row_steps']} ({java['loop_steps']} steps in chunks of {java['batch_rows']}), "
          f"PyTorch {py['row_steps']} ({py['loop_steps']} steps, one batch of {py['batch_rows']})")
    print(f"batched loop: Java {java['steps_per_s']:.1f} steps/s with {java['batch_rows']} rows, "
          f"PyTorch {py['steps_per_s']:.1f} steps/s with {py['batch_rows']} rows")
    print(f"tokens equal on the song: {same_rows}/{len(pt)} rows" + (f" (differ: {'; '.join(diffs[:10])})" if diffs else "")
          + f"; both sides' tokens in {work}/tokens-*.json")
    print(f"live at 120 BPM: a segment = {beats_per_segment:g} beats = {beats_per_segment * 0.5:g} s, up to {MAX_LENGTH - 1} steps: "
          f"{need:.1f} steps/s per stream (the issue's 2-bar reading: 64); measured batch 1: Java "
          f"{java['live_steps_per_s']:.1f}, PyTorch {py['live_steps_per_s']:.1f} steps/s "
          f"({java['live_steps_per_s'] / need:.2f}x and {py['live_steps_per_s'] / need:.2f}x of {need:.1f}; "
          f"{java['live_steps_per_s'] / 64:.2f}x and {py['live_steps_per_s'] / 64:.2f}x of 64)")
    p = java.get("parity", {})
    print(f"full-size greedy parity vs the fixture (HF generate): {p.get('equal')}/{p.get('rows')} rows equal"
          + ("" if not p.get("differences") else "; " + "; ".join(p["differences"])))
    if conv:
        conv["live_steps_per_s"] = conv["live"]["steps_per_s"]
        same_conv = sum(1 for a, b in zip(conv["tokens"], jt) if unpadded(a) == unpadded(b))
        print(f"\nJava/ORT {args.precision} decoder ({converted}; load average before it: {load_conv}; after: {load_average()})")
        print(f"{'':22}{'float32':>12}{args.precision:>12}{'ratio':>10}{'PyTorch':>12}{'ratio':>10}")
        for key, label in [("encoder_ms", "encoder ms"), ("decode_ms", "decode ms"), ("tokens_per_s", "tokens/s"),
                           ("row_steps_per_s", "row-steps/s"), ("live_steps_per_s", "live steps/s (batch 1)"),
                           ("rtf", "RTF"), ("peak_rss_mib", "peak RSS MiB")]:
            print(f"{label:22}{java[key]:12.3f}{conv[key]:12.3f}{conv[key] / java[key]:10.2f}{py[key]:12.3f}{conv[key] / py[key]:10.2f}")
        print(f"{args.precision} rows equal to Java float32's on the song: {same_conv}/{len(jt)} (chunks of {conv['batch_rows']} rows; "
              f"an int8 row depends on the rows decoded with it: tools/export/pop2piano_agreement.py measures agreement row by row)")
        print(f"live at 120 BPM: {args.precision} {conv['live_steps_per_s']:.1f} steps/s = {conv['live_steps_per_s'] / need:.2f}x of {need:.1f}")
    print(json.dumps({"load_average": load, "song": what,
                      "java": {k: v for k, v in java.items() if k != "tokens"},
                      "pytorch": {k: v for k, v in py.items() if k != "tokens"},
                      "same_rows": same_rows, "rows": len(pt),
                      **({args.precision: {k: v for k, v in conv.items() if k != "tokens"},
                          f"load_average_{args.precision}": load_conv} if conv else {})}))


if __name__ == "__main__":
    sys.exit(main())

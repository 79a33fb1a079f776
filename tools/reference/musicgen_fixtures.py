"""MusicGen reference fixtures: a tiny random-weight MusicgenForConditionalGeneration with the real
structure (T5 text encoder with a SentencePiece tokenizer, enc_to_dec_proj, the 4-codebook decoder,
EnCodec at 32 kHz with hop 640), exported by tools/export/export_musicgen.py, and what
transformers' generate (4.46.3) makes from it.

    python -m venv /tmp/mgvenv && /tmp/mgvenv/bin/pip install -r tools/reference/requirements-musicgen.txt
    /tmp/mgvenv/bin/python tools/reference/musicgen_fixtures.py                     # the test fixtures
    /tmp/mgvenv/bin/python tools/reference/musicgen_fixtures.py --size full --package DIR  # musicgen-small's sizes

--size full writes only tests/fixtures/musicgen/model-full.json (generate's codes for the package it
exports to --package, musicgen-small's sizes with random weights, for benchmarks). --size tiny-stereo
writes only the stereo fixtures (a tiny musicgen-stereo-*: audio_channels 2, 8 codebooks, the two
channels' codebooks interleaved, left first), leaving the mono ones as they are:
  tiny-stereo/         its package
  stereo-cases.json    as cases.json (codes [b][8][frames], interleaved as generate holds them;
                       the audio prompt is stereo, each channel encoded by EnCodec on its own)
  stereo-arrays.npz    each case's audio [b, 2, samples] (left, right) and the prompt [1, 2, samples]
--size tiny writes tests/fixtures/musicgen/:
  tiny/          the package (the exporter run on the saved checkpoint folder, as a user would)
  cases.json     per case: the prompts, the tokenizer's input_ids / attention_mask, the generate
                 settings, the delay-pattern mask and the raw sequences as generate holds them
                 (rows b * codebooks + k), and the codes EnCodec decodes [b][codebooks][frames];
                 for the audio prompt also the codes EnCodec encodes it to; for the sampling run
                 the tokens drawn; tokenizer cases (text -> ids) for the tokenizer alone
  arrays.npz     float32: each case's audio [b, 1, samples], the audio prompt [1, 1, samples], and
                 for the sampling run each step's raw logits [2 * codebooks, vocab] and processed
                 scores [codebooks, vocab] (CFG, temperature, top-k: what torch.multinomial drew from)

Then runs the exported graphs in ONNX Runtime with the loop a Java port follows (spec
pop2piano_musicgen.md 2.6, with the cross-attention keys/values from cross_kv.onnx) and fails
unless the greedy codes equal generate's exactly and the audio is within 1e-4.

The tokenizer: no T5 tokenizer can be downloaded here, so a SentencePiece unigram model is trained
on a few music descriptions (T5's special ids: pad 0, eos 1, unk 2; nmt_nfkc normalisation, as
t5-base's spiece.model) and converted by transformers into tokenizer.json, the format of
facebook/musicgen-small's: a Precompiled normaliser, Metaspace, Unigram, "$A </s>" post-processing,
plus T5's 100 extra ids.

Weights are random (seeded) and the lm_heads are scaled so that greedy choices sit far from ties:
code equality then tests the computation, not rounding luck.
"""
import importlib.util
import io
import json
import pathlib
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import sentencepiece as spm
import torch
import transformers
from transformers import (EncodecConfig, GenerationConfig, MusicgenConfig, MusicgenDecoderConfig,
                          MusicgenForConditionalGeneration, T5Config, T5Tokenizer, T5TokenizerFast)

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("export_musicgen", ROOT / "tools/export/export_musicgen.py")
exporter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exporter)

OUT = ROOT / "tests/fixtures/musicgen"
SEED = 20261204
CODEBOOK_SIZE = 128  # not 2048, so that a port cannot get away with the real size hard-coded
# the stereo model is smaller still (8 codebooks' embeddings and heads), to keep its package small
STEREO_CODEBOOK_SIZE, STEREO_HIDDEN = 64, 16
MAX_POSITIONS = 128
PROMPTS = ["warm lo-fi piano with soft pads", "Upbeat FUNK groove, 110 bpm, with bright horns!"]
TOKENIZER_TEXTS = PROMPTS + ["", "a", "  two  spaces ", "café ﬁne — naïve", "90s rock song with loud guitars",
                             "unseen wörds: xylophone/zither 123", "<extra_id_0> mask </s> eos"]
# a small corpus of music descriptions for the tokenizer (T5 was trained on C4; any text will do)
CORPUS = """warm lo-fi piano with soft pads and vinyl crackle
upbeat funk groove with slap bass and tight drums, 110 bpm
a calm ambient drone with slow strings and distant bells
80s pop track with bassy drums and synth
90s rock song with loud guitars and heavy drums
jazzy piano trio, brushed drums, walking upright bass
cinematic orchestral build with brass and timpani
minimal techno loop, deep kick, hi-hats, 128 bpm
acoustic folk guitar with gentle humming vocals
reggae skank guitar over a laid back drum beat
dreamy synthwave with arpeggiated bass and pads
solo cello melody, slow and melancholic
bossa nova guitar with soft shaker and flute
epic trailer music with choir and pounding percussion
chiptune melody with square waves at a fast tempo
gospel organ chords with hand claps and choir
latin salsa with piano montuno, congas and trumpets
drum and bass with rolling breakbeats and sub bass
classical string quartet in a bright major key
lullaby on music box and soft celesta""".split("\n")


def make_tokenizer(folder):
    """A SentencePiece unigram model with T5's special ids, saved as T5's slow and fast tokenizer files."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS * 4), model_writer=model, vocab_size=180,
                                   model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1, num_threads=1,
                                   normalization_rule_name="nmt_nfkc", hard_vocab_limit=False, minloglevel=2)
    (folder / "spiece.model").write_bytes(model.getvalue())
    # legacy=True: t5-base's tokenizer_config (which musicgen-small reuses) sets no legacy flag
    slow = T5Tokenizer(str(folder / "spiece.model"), extra_ids=100, legacy=True)
    slow.save_pretrained(str(folder))
    fast = T5TokenizerFast.from_pretrained(str(folder), from_slow=True)
    fast.save_pretrained(str(folder))
    return fast


def random_model(text_vocab, size="tiny", channels=1):
    """tiny: the fixture's model. full: musicgen-small's sizes (t5-base, 24 x 1024 decoder with 16
    heads, EnCodec 32 kHz; convert_musicgen_transformers.py and the encodec_32khz config).
    channels 2: a stereo checkpoint's decoder (8 codebooks, two per EnCodec codebook; the codec stays
    mono and runs once per channel, as in musicgen-stereo-*)."""
    torch.manual_seed(SEED)
    if size == "full":
        size_codebook, positions = 2048, 2048
        text = T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12,
                        feed_forward_proj="relu")
        codec = EncodecConfig(target_bandwidths=[2.2], sampling_rate=32000, audio_channels=1, normalize=False,
                              chunk_length_s=None, num_filters=64, upsampling_ratios=[8, 5, 4, 4], codebook_size=2048,
                              use_causal_conv=False, use_conv_shortcut=False)
        decoder = MusicgenDecoderConfig(vocab_size=2048, max_position_embeddings=positions, num_hidden_layers=24,
                                        ffn_dim=4096, num_attention_heads=16, hidden_size=1024, num_codebooks=4,
                                        audio_channels=1, pad_token_id=2048, bos_token_id=2048, activation_function="gelu")
    else:
        size_codebook = CODEBOOK_SIZE if channels == 1 else STEREO_CODEBOOK_SIZE
        text = T5Config(vocab_size=text_vocab, d_model=24, d_kv=8, d_ff=48, num_layers=2, num_heads=3,
                        feed_forward_proj="relu", relative_attention_num_buckets=32, relative_attention_max_distance=128)
        codec = EncodecConfig(target_bandwidths=[2.2], sampling_rate=32000, audio_channels=1, normalize=False,
                              chunk_length_s=None, hidden_size=8, num_filters=2, num_residual_layers=1,
                              upsampling_ratios=[8, 5, 4, 4], codebook_size=size_codebook, use_causal_conv=False,
                              use_conv_shortcut=False, num_lstm_layers=2, pad_mode="reflect")
        decoder = MusicgenDecoderConfig(vocab_size=size_codebook, max_position_embeddings=MAX_POSITIONS, num_hidden_layers=2,
                                        ffn_dim=64, num_attention_heads=2,
                                        hidden_size=32 if channels == 1 else STEREO_HIDDEN, num_codebooks=4 * channels,
                                        audio_channels=channels,
                                        pad_token_id=size_codebook, bos_token_id=size_codebook, activation_function="gelu")
    model = MusicgenForConditionalGeneration(MusicgenConfig.from_sub_models_config(text, codec, decoder)).eval()
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.decoder.named_parameters():
            if "layer_norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif "layer_norm" in name:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:  # unit-variance outputs for unit-variance inputs
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[-1] ** 0.5)
        for head in model.decoder.lm_heads:
            head.weight.mul_(12.0)
        # EnCodec's codebooks start as zeros (they are learnt buffers): give them vectors to choose between
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.copy_(torch.randn(layer.codebook.embed.shape, generator=g))
    model.generation_config = GenerationConfig(decoder_start_token_id=size_codebook, pad_token_id=size_codebook,
                                               bos_token_id=size_codebook, do_sample=True, guidance_scale=3.0,
                                               max_length=1500 if size == "full" else 100)
    return model


def prompt_audio(samples, sr=32000):
    """A chirp with a decay: deterministic, not a multiple of the hop (the encoder pads)."""
    t = np.arange(samples) / sr
    return (0.4 * np.sin(2 * np.pi * (220 * t + 900 * t * t)) * np.exp(-3 * t)).astype(np.float32)


class Recorder:
    """The last apply_delay_pattern_mask call of generate: the raw sequences and the pattern mask;
    and the codes of the EnCodec decode calls after it (`channels`: one per channel, left first)."""

    def __init__(self, model):
        self.decoder = model.decoder
        self.original = model.decoder.apply_delay_pattern_mask
        self.codes = None

        def apply(ids, mask):
            self.ids, self.mask = ids.clone(), mask.clone()
            self.channels = []
            return self.original(ids, mask)
        model.decoder.apply_delay_pattern_mask = apply
        codec_decode = model.audio_encoder.decode

        def decode(audio_codes, *a, **k):
            self.codes = audio_codes.clone()
            self.channels.append(self.codes)
            return codec_decode(audio_codes, *a, **k)
        model.audio_encoder.decode = decode


def generate(model, rec, tok, name, prompts, **kw):
    enc = tok(prompts, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**enc, return_dict_in_generate=True, output_scores=True, output_logits=True, **kw)
    case = {"name": name, "prompts": prompts, "input_ids": enc["input_ids"].tolist(),
            "attention_mask": enc["attention_mask"].tolist(),
            "settings": {k: (v if not torch.is_tensor(v) else list(v.shape)) for k, v in kw.items()},
            "delay_pattern_mask": rec.mask.tolist(), "sequences": rec.ids.tolist(),
            "codes": rec.codes[0].tolist()}
    return case, out


def min_gap(scores):
    """The smallest margin of a greedy choice over the runner-up, over every step and row."""
    return min(float((lambda t: t[:, 0] - t[:, 1])(torch.topk(s, 2).values).min()) for s in scores)


def ort_session(path, threads=1):
    o = ort.SessionOptions()
    o.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])


def delay_mask(prompt, codebooks, pad, max_length, channels=1):
    """transformers' build_delay_pattern_mask, written out: -1 marks a position to generate. Stereo
    (channels 2): rows 2c and 2c + 1 (codebook c of the left and the right channel) share delay c."""
    rows, n = prompt.shape
    per_channel = codebooks // channels
    mask = np.full((rows, max_length), -1, dtype=np.int64)
    for r in range(rows):
        k = (r % codebooks) // channels
        mask[r, k:k + n] = prompt[r]
        mask[r, :k + 1] = pad
        mask[r, max_length - per_channel + 1 + k:] = pad
    return mask


def ort_generate(package, input_ids, attention_mask, guidance, max_new_tokens, prompt_codes=None, gaps=None,
                 logits_out=None, follow=None, threads=1):
    """The Java port's loop over the package's graphs (greedy). gaps: a list to which each step's
    smallest top-2 margin (over the rows, after guidance) is appended; logits_out: a list to which each
    step's logits after guidance [rows, vocab] are appended; follow: each step's ids [rows] to feed on
    instead of the step's own greedy choice (teacher forcing, e.g. another package's choices)."""
    m = json.loads((package / "pianola-model.json").read_text())
    c = m["config"]
    K, pad, start = c["num_codebooks"], c["pad_token_id"], c["decoder_start_token_id"]
    channels = c["audio_channels"]
    s = {role: ort_session(package / g["file"], threads) for role, g in m["graphs"].items()}
    b = input_ids.shape[0]
    states = s["text_encoder"].run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]
    mask = attention_mask
    if guidance > 1:
        states = np.concatenate([states, np.zeros_like(states)])
        mask = np.concatenate([mask, np.zeros_like(mask)])
    cross = s["cross_kv"].run(None, {"encoder_hidden_states": states})
    cross_names = [o.name for o in s["cross_kv"].get_outputs()]
    start_ids = np.full((b * K, 1), start, dtype=np.int64)
    prompt = start_ids if prompt_codes is None else np.concatenate([start_ids, prompt_codes.reshape(b * K, -1)], axis=1)
    max_length = prompt.shape[1] + max_new_tokens
    pattern = delay_mask(prompt, K, pad, max_length, channels)
    seq = np.where(pattern[:, :prompt.shape[1]] == -1, 0, pattern[:, :prompt.shape[1]])
    first = int(np.argmax(pattern[0] == -1))
    seq = seq[:, :first]
    past_names = [i.name for i in s["decoder"].get_inputs() if i.name.startswith("past_key_values")]
    heads, head = c["num_attention_heads"], c["head_size"]
    rows = 2 * b if guidance > 1 else b
    past = {n: np.zeros((rows, heads, 0, head), np.float32) for n in past_names}
    fed = 0
    while seq.shape[1] < max_length:
        ids = np.where(pattern[:, :seq.shape[1]] == -1, seq, pattern[:, :seq.shape[1]])[:, fed:]
        if guidance > 1:
            ids = np.concatenate([ids, ids])
        feeds = {"input_ids": ids, "encoder_attention_mask": mask, **past, **dict(zip(cross_names, cross))}
        outs = s["decoder"].run(None, feeds)
        logits = outs[0][:, -1, :]
        if guidance > 1:
            cond, uncond = logits[:b * K], logits[b * K:]
            logits = uncond + (cond - uncond) * np.float32(guidance)
        if gaps is not None:
            top2 = np.sort(logits, axis=-1)[:, -2:]
            gaps.append(float((top2[:, 1] - top2[:, 0]).min()))
        if logits_out is not None:
            logits_out.append(logits)
        chosen = logits.argmax(-1) if follow is None else np.asarray(follow[seq.shape[1] - first], dtype=np.int64)
        fed = seq.shape[1]
        seq = np.concatenate([seq, chosen[:, None]], axis=1)
        past = dict(zip(past_names, outs[1:]))
    final = np.where(pattern == -1, seq, pattern)
    codes = final[final != pad].reshape(b, K, -1)
    # stereo: EnCodec decodes each channel's codebooks (even rows left, odd right) on its own
    audio = np.concatenate([s["encodec_decode"].run(None, {"audio_codes": np.ascontiguousarray(codes[:, c::channels])})[0]
                            for c in range(channels)], axis=1)
    return codes, audio


def full_size(package):
    """musicgen-small's sizes with random weights: the exporter at full size, and the ORT loop against
    generate (greedy, guidance 3) on a few steps; nothing is written to tests/fixtures."""
    import time
    tmp = pathlib.Path(tempfile.mkdtemp())
    tok = make_tokenizer(tmp)
    model = random_model(len(tok), "full")
    t = time.time()
    m = exporter.write_package(model, tmp, package, source=f"random weights at musicgen-small's sizes "
                               f"(tools/reference/musicgen_fixtures.py --size full, seed {SEED})",
                               licence="none (random weights, made for benchmarks)")
    print(f"exported in {time.time() - t:.0f} s:", {f["path"]: (package / f["path"]).stat().st_size for f in m["files"]})
    enc = tok(PROMPTS, padding=True, return_tensors="pt")
    steps = 12
    t = time.time()
    with torch.no_grad():
        audio = model.generate(**enc, do_sample=False, guidance_scale=3.0, max_new_tokens=steps).numpy()
    print(f"transformers generate: {steps} steps in {time.time() - t:.1f} s")
    rec = Recorder(model)
    with torch.no_grad():
        model.generate(**enc, do_sample=False, guidance_scale=3.0, max_new_tokens=steps)
    t = time.time()
    codes, ort_audio = ort_generate(package, enc["input_ids"].numpy(), enc["attention_mask"].numpy(), 3.0, steps)
    print(f"ORT loop: {steps} steps in {time.time() - t:.1f} s")
    assert np.array_equal(codes, rec.codes[0].numpy()), "full size: ORT codes differ from generate's"
    diff = float(np.abs(ort_audio - audio).max())
    print(f"full size: codes {codes.shape} equal, audio max|diff| {diff:.2e}")
    assert diff < 1e-3, diff
    # what a benchmark of the Java port compares its codes against (the package itself is never committed)
    (OUT / "model-full.json").write_text(json.dumps({
        "reference": f"transformers {transformers.__version__} generate, torch {torch.__version__}",
        "package": "made with --size full --package DIR", "seed": SEED, "prompts": PROMPTS,
        "input_ids": enc["input_ids"].tolist(), "settings": {"do_sample": False, "guidance_scale": 3.0, "max_new_tokens": steps},
        "codes": rec.codes[0].tolist(), "audio_samples": int(audio.shape[-1]),
        "audio_abs_sum": float(np.abs(audio).astype(np.float64).sum())}, separators=(",", ":")) + "\n")


def responsive_codebooks(model, audio):
    """EnCodec's codebooks placed where the random encoder's states fall: with unit-variance vectors
    (the mono fixture's) every input is nearest the same codes, so a prompt's channels could not be
    told apart by their codes. The encoder's states vary little with the input (about 0.01 around
    their mean), so its last convolution is scaled up first: codes further apart decode to other
    audio, and a swapped or shared channel shows in the audio too."""
    g = torch.Generator().manual_seed(SEED)
    gain = 25.0
    with torch.no_grad():
        last = model.audio_encoder.encoder.layers[-1].conv
        last.parametrizations.weight.original0.mul_(gain)  # weight norm's magnitude
        last.bias.mul_(gain)
        center = model.audio_encoder.encoder(torch.from_numpy(audio)).mean(dim=(0, 2))
        for i, layer in enumerate(model.audio_encoder.quantizer.layers):
            embed = layer.codebook.embed
            embed.copy_((center if i == 0 else 0) + 0.02 * gain * torch.randn(embed.shape, generator=g))


def stereo(checkpoint_root):
    """The stereo fixtures: a tiny random-weight stereo MusicGen, its package, and generate's greedy
    codes and audio with and without guidance and with a stereo audio prompt."""
    checkpoint = checkpoint_root / "checkpoint-stereo"
    checkpoint.mkdir()
    tok = make_tokenizer(checkpoint)
    model = random_model(len(tok), channels=2)
    # a stereo prompt whose channels differ, so that a swapped or shared channel shows
    audio = np.stack([prompt_audio(3000), 0.7 * prompt_audio(3000)[::-1]])[None].astype(np.float32)
    responsive_codebooks(model, audio[:, :1])
    model.save_pretrained(str(checkpoint))
    loaded, tokenizer_dir = exporter.load_checkpoint(str(checkpoint))
    package = OUT / "tiny-stereo"
    exporter.write_package(loaded, tokenizer_dir, package,
                           source=f"random weights, stereo (tools/reference/musicgen_fixtures.py --size tiny-stereo, seed {SEED})",
                           licence="none (random weights, made for tests)")
    model = MusicgenForConditionalGeneration.from_pretrained(str(checkpoint)).eval()
    rec = Recorder(model)
    arrays, cases = {}, []

    def record(case, out):
        # generate decodes the even codebooks (left) and the odd ones (right) in two EnCodec calls
        left, right = rec.channels
        codes = torch.stack([left[0], right[0]], dim=2).flatten(1, 2)
        assert torch.equal(codes[:, 0::2], left[0]) and torch.equal(codes[:, 1::2], right[0])
        case["codes"] = codes.tolist()
        case["min_top2_gap"] = min_gap(out.scores)
        arrays[f"{case['name']}.audio"] = out.sequences.numpy().astype(np.float32)
        cases.append(case)

    # guidance only: generation without it is no different for two channels (and the audio is the bulk of the file)
    record(*generate(model, rec, tok, "greedy_guidance", PROMPTS, do_sample=False, guidance_scale=3.0, max_new_tokens=14))

    arrays["audio_prompt.input"] = audio
    with torch.no_grad():
        per_channel = [model.audio_encoder.encode(torch.from_numpy(audio[:, c:c + 1])).audio_codes[0] for c in range(2)]
    assert not torch.equal(per_channel[0], per_channel[1]), "the two channels encode to the same codes"
    prompt_codes = torch.stack(per_channel, dim=2).flatten(1, 2)  # interleaved, as generate feeds them
    case, out = generate(model, rec, tok, "audio_prompt", PROMPTS[:1], do_sample=False, guidance_scale=3.0,
                         max_new_tokens=12, input_values=torch.from_numpy(audio))
    case["prompt_codes"] = prompt_codes.tolist()
    record(case, out)

    (OUT / "stereo-cases.json").write_text(json.dumps({
        "reference": f"transformers {transformers.__version__} MusicgenForConditionalGeneration.generate, "
                     f"torch {torch.__version__}, audio_channels 2",
        "package": "tests/fixtures/musicgen/tiny-stereo", "seed": SEED, "cases": cases}, separators=(",", ":")) + "\n")
    np.savez_compressed(OUT / "stereo-arrays.npz", **arrays)

    for case in cases:
        prompt = np.array(case["prompt_codes"], dtype=np.int64) if "prompt_codes" in case else None
        if prompt is not None:
            enc = ort_session(package / "encodec_encode.onnx")
            got = np.stack([enc.run(None, {"input_values": np.ascontiguousarray(audio[:, c:c + 1])})[0] for c in range(2)], axis=2)
            assert np.array_equal(got.reshape(1, 8, -1), prompt), "encodec_encode per channel differs"
        codes, ort_audio = ort_generate(package, np.array(case["input_ids"]), np.array(case["attention_mask"]),
                                        case["settings"]["guidance_scale"], case["settings"]["max_new_tokens"], prompt)
        assert np.array_equal(codes, np.array(case["codes"])), f"stereo {case['name']}: ORT codes differ from generate's"
        assert case["min_top2_gap"] > 1e-3, f"stereo {case['name']}: a greedy choice is a near tie; change the seed"
        want = arrays[f"{case['name']}.audio"]
        assert ort_audio.shape == want.shape and want.shape[1] == 2, (ort_audio.shape, want.shape)
        diff = float(np.abs(ort_audio - want).max())
        assert diff < 1e-4, f"stereo {case['name']}: ORT audio differs by {diff}"
        print(f"stereo {case['name']}: codes {codes.shape} equal, audio {want.shape} max|diff| {diff:.2e}, "
              f"min top-2 gap {case['min_top2_gap']:.3f}")
    sizes = {p.name: p.stat().st_size for p in sorted(package.iterdir())}
    print("package", sizes, "total", sum(sizes.values()))
    print("stereo-cases.json", (OUT / "stereo-cases.json").stat().st_size,
          "stereo-arrays.npz", (OUT / "stereo-arrays.npz").stat().st_size)


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=["tiny", "tiny-stereo", "full"], default="tiny")
    ap.add_argument("--package", help="--size full: where to write the package (about 2.5 GB; never committed)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.size == "full":
        if not args.package:
            raise SystemExit("--size full needs --package DIR")
        return full_size(pathlib.Path(args.package))
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp())
    if args.size == "tiny-stereo":
        return stereo(tmp)
    checkpoint = tmp / "checkpoint"
    checkpoint.mkdir()
    tok = make_tokenizer(checkpoint)
    model = random_model(len(tok))
    model.save_pretrained(str(checkpoint))
    # the package comes from the saved folder, the path a user's download takes
    loaded, tokenizer_dir = exporter.load_checkpoint(str(checkpoint))
    package = OUT / "tiny"
    exporter.write_package(loaded, tokenizer_dir, package,
                           source=f"random weights (tools/reference/musicgen_fixtures.py, seed {SEED})",
                           licence="none (random weights, made for tests)")
    # the reference runs the model as transformers loads it by default (SDPA attention)
    model = MusicgenForConditionalGeneration.from_pretrained(str(checkpoint)).eval()
    rec = Recorder(model)
    arrays, cases = {}, []

    for name, guidance in (("greedy", 1.0), ("greedy_guidance", 3.0)):
        case, out = generate(model, rec, tok, name, PROMPTS, do_sample=False, guidance_scale=guidance, max_new_tokens=14)
        arrays[f"{name}.audio"] = out.sequences.numpy().astype(np.float32)
        case["min_top2_gap"] = min_gap(out.scores)
        cases.append(case)

    audio = prompt_audio(3000)[None, None]
    arrays["audio_prompt.input"] = audio
    with torch.no_grad():
        prompt_codes = model.audio_encoder.encode(torch.from_numpy(audio)).audio_codes[0]
    case, out = generate(model, rec, tok, "audio_prompt", PROMPTS[:1], do_sample=False, guidance_scale=3.0,
                         max_new_tokens=12, input_values=torch.from_numpy(audio))
    case["prompt_codes"] = prompt_codes.tolist()
    case["min_top2_gap"] = min_gap(out.scores)
    arrays["audio_prompt.audio"] = out.sequences.numpy().astype(np.float32)
    cases.append(case)

    torch.manual_seed(SEED)
    sampling = dict(do_sample=True, guidance_scale=3.0, top_k=20, temperature=0.7, max_new_tokens=8)
    case, out = generate(model, rec, tok, "sampling", PROMPTS[:1], **sampling)
    case["torch_seed"] = SEED
    arrays["sampling.logits"] = torch.stack(out.logits).numpy().astype(np.float32)   # [steps, 2K, vocab]
    arrays["sampling.scores"] = torch.stack(out.scores).numpy().astype(np.float32)   # [steps, K, vocab]
    cases.append(case)

    tokenizer_cases = [{"text": t, "input_ids": tok(t)["input_ids"]} for t in TOKENIZER_TEXTS]
    (OUT / "cases.json").write_text(json.dumps({
        "reference": f"transformers {transformers.__version__} MusicgenForConditionalGeneration.generate, "
                     f"torch {torch.__version__}, T5TokenizerFast (tokenizers {__import__('tokenizers').__version__}), "
                     f"sentencepiece {spm.__version__}",
        "package": "tests/fixtures/musicgen/tiny", "seed": SEED, "tokenizer": tokenizer_cases, "cases": cases},
        separators=(",", ":")) + "\n")
    np.savez_compressed(OUT / "arrays.npz", **arrays)

    # the exported graphs in ONNX Runtime, with the loop the Java port follows
    worst = 0.0
    for case in cases:
        if case["name"] == "sampling":
            continue
        prompt = np.array(case["prompt_codes"], dtype=np.int64) if "prompt_codes" in case else None
        if prompt is not None:
            enc = ort_session(package / "encodec_encode.onnx").run(None, {"input_values": audio})[0]
            assert np.array_equal(enc, prompt), f"encodec_encode: {enc} != {prompt}"
        codes, ort_audio = ort_generate(package, np.array(case["input_ids"]), np.array(case["attention_mask"]),
                                        case["settings"]["guidance_scale"], case["settings"]["max_new_tokens"], prompt)
        assert np.array_equal(codes, np.array(case["codes"])), f"{case['name']}: ORT codes differ from generate's"
        assert case["min_top2_gap"] > 1e-3, f"{case['name']}: a greedy choice is a near tie; change the seed"
        diff = float(np.abs(ort_audio - arrays[f"{case['name']}.audio"]).max())
        worst = max(worst, diff)
        assert diff < 1e-4, f"{case['name']}: ORT audio differs by {diff}"
        print(f"{case['name']}: codes {codes.shape} equal, audio max|diff| {diff:.2e}, min top-2 gap "
              f"{case['min_top2_gap']:.3f}")
    # EnCodec's encoder at lengths that pad differently
    for n in (1, 639, 640, 641, 1300, 3333, 12800):
        x = prompt_audio(n)[None, None]
        with torch.no_grad():
            want = model.audio_encoder.encode(torch.from_numpy(x)).audio_codes[0].numpy()
        got = ort_session(package / "encodec_encode.onnx").run(None, {"input_values": x})[0]
        assert np.array_equal(got, want), f"encodec_encode differs at {n} samples: {got.tolist()} != {want.tolist()}"
    # and its decoder on as few frames as a short generation leaves
    for frames in (1, 2, 3, 4, 9):
        codes = np.array(cases[0]["codes"], dtype=np.int64)[:, :, :frames]
        with torch.no_grad():
            want = model.audio_encoder.decode(torch.from_numpy(codes)[None], [None]).audio_values.numpy()
        got = ort_session(package / "encodec_decode.onnx").run(None, {"audio_codes": codes})[0]
        assert got.shape == want.shape and np.abs(got - want).max() < 1e-5, f"encodec_decode differs at {frames} frames"
    # a graph whose weights go to a .data file beside it (musicgen-medium and -large) runs the same
    with tempfile.TemporaryDirectory() as ext:
        files = exporter.save_graph(onnx.load(str(package / "decoder.onnx")), pathlib.Path(ext) / "decoder.onnx", limit=0)
        assert files == ["decoder.onnx", "decoder.onnx.data"], files
        feeds = {i.name: (np.zeros([d if isinstance(d, int) else 2 for d in i.shape], np.int64) if i.type == "tensor(int64)"
                          else np.ones([d if isinstance(d, int) else 2 for d in i.shape], np.float32))
                 for i in ort_session(package / "decoder.onnx").get_inputs()}
        feeds["input_ids"] = np.full((8, 2), 3, np.int64)
        a = ort_session(package / "decoder.onnx").run(None, feeds)[0]
        b = ort_session(pathlib.Path(ext) / "decoder.onnx").run(None, feeds)[0]
        assert np.array_equal(a, b), "the decoder with external weights differs"
    sizes = {p.name: p.stat().st_size for p in sorted(package.iterdir())}
    print("package", sizes, "total", sum(sizes.values()))
    print("cases.json", (OUT / "cases.json").stat().st_size, "arrays.npz", (OUT / "arrays.npz").stat().st_size)


if __name__ == "__main__":
    sys.exit(main())

"""Turns a MusicGen checkpoint into a Pianola model package (family musicgen).

    python tools/export/export_musicgen.py [--checkpoint facebook/musicgen-small | DIR] --out DIR

Needs the pinned packages of tools/reference/requirements-musicgen.txt (transformers 4.46.3, whose
MusicgenForConditionalGeneration the reference fixtures run; sentencepiece and protobuf only to
convert a spiece.model). A hub name needs internet; a local
folder (config.json, weights, generation_config.json, and tokenizer.json or spiece.model) does not.
Mono and stereo text-to-music checkpoints (musicgen-small/medium/large, musicgen-stereo-*) share
the layout; musicgen-melody is another architecture (chroma conditioning, no cross-attention) and
is refused. A stereo package differs only in its config (audio_channels 2, num_codebooks 8) and its
decoder (8 embeddings and heads; rows b * 8 + k with the channels' codebooks interleaved, k = 2q
the left channel's codebook q, 2q + 1 the right's). EnCodec is the same mono codec: its graphs take
one channel's 4 codebooks, and a stereo model runs them once per channel, as transformers does.

The package holds five graphs (float32, opset 17) and these files:
  text_encoder.onnx   the T5 encoder, the projection to the decoder's width (enc_to_dec_proj, when
                      the widths differ) and the mask multiplication transformers applies before
                      every decoder step, done once here:
                        in : input_ids [b, s] i64, attention_mask [b, s] i64
                        out: encoder_hidden_states [b, s, hidden] = proj(T5(ids)) * mask
                      Classifier-free guidance appends rows of zeros (and a zero mask): that is what
                      transformers' zero T5 states become after the projection and the mask.
  cross_kv.onnx       every decoder layer's cross-attention keys and values, computed once per
                      generation instead of at every step:
                        in : encoder_hidden_states [b, s, hidden]
                        out: encoder_key_values.{i}.key / .value [b, heads, s, head_size]
  decoder.onnx        one graph for the prefill and every step (as export_gpt2.py: a past whose
                      sequence dimension is 0 makes it the prefill):
                        in : input_ids [b * codebooks, n] i64 (rows b * codebooks + k),
                             encoder_attention_mask [b, s] i64,
                             past_key_values.{i}.key / .value [b, heads, past, head_size],
                             encoder_key_values.{i}.key / .value [b, heads, s, head_size]
                        out: logits [b * codebooks, n, codebook_size],
                             present.{i}.key / .value [b, heads, past + n, head_size]
                      The embedding is the sum of the codebooks' embeddings (row codebook_size is
                      the pad/start id) plus the sinusoidal position past + j, which exists for
                      max_position_embeddings positions only (the graph holds the table; transformers
                      would grow it). Written from the decoder's modules and weights with
                      transformers' eager attention arithmetic (additive float32-min masks), because
                      the model's own forward decides caching with Python conditions that tracing
                      would freeze.
  encodec_decode.onnx EnCodec's quantizer decode + SEANet decoder:
                        in : audio_codes [b, codebooks, frames] i64 (one EnCodec channel's codebooks)
                        out: audio_values [b, 1, frames * hop_length] f32 at sampling_rate
  encodec_encode.onnx EnCodec's SEANet encoder + residual quantizer at the checkpoint's bandwidth
                      (audio prompts):
                        in : input_values [b, 1, samples] f32 at sampling_rate
                        out: audio_codes [b, codebooks, frames] i64
                      Both traced with EnCodec's reflect padding rewritten without its Python
                      condition on the length (reflectable_pad1d), so inputs of any length work.
  *.onnx.data         a graph's weights when they pass 1 GB (the decoder of musicgen-small and up;
                      protobuf cannot hold 2 GB), one file beside the graph, read by ONNX Runtime
  tokenizer.json      the T5 tokenizer (Hugging Face tokenizers format; converted from
                      spiece.model when the checkpoint has no tokenizer.json)
  generation_config.json  the checkpoint's generation config as transformers writes it; the
                      guidance scale is read from here (the manifest's generation defaults hold
                      only the sampling fields every family shares)
  pianola-model.json  the manifest: files with sha256, graph I/O names, vocabSize (= codebook_size),
                      integer config constants (see write_package), generation defaults

--precision int8: the decoder's MatMuls as int8 with dynamic activation quantization (precision.py,
ONNX Runtime's quantize_dynamic; the manifest records "precision": "int8-dynamic" and how). The step
loop is memory-bound on the decoder's weights (1.34 GB in float32 at musicgen-small's sizes, ~0.35 GB
int8, which fits in the graph file: no .data file); the text encoder, cross_kv (each run once per
generation) and EnCodec stay float32. The codes are not float32's: tools/export/musicgen_agreement.py
measures how far they agree.

Generation defaults: sampling, temperature 1, top-k 250 (audiocraft's; transformers would use 50
because the hub config names none, spec pop2piano_musicgen.md 2.1), guidance 3 (the hub config's).
"""
import argparse
import json
import pathlib
import shutil
import sys
import tempfile

import onnx
# the exporters share package_files.py; they are also loaded by path from tools/reference and tools/bench
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from package_files import sha256  # noqa: E402
import precision as precisions  # noqa: E402

import torch
import transformers
from transformers import MusicgenForConditionalGeneration

FAMILY = "musicgen"
EXPORTER = "tools/export/export_musicgen.py 1"
OPSET = 17
TEXT_ENCODER_FILE, CROSS_FILE, DECODER_FILE = "text_encoder.onnx", "cross_kv.onnx", "decoder.onnx"
CODEC_DECODE_FILE, CODEC_ENCODE_FILE = "encodec_decode.onnx", "encodec_encode.onnx"
TOKENIZER_FILE, GENERATION_FILE = "tokenizer.json", "generation_config.json"
DEFAULT_TOP_K = 250
DEFAULT_GUIDANCE = 3.0
LARGE_GRAPH_BYTES = 1 << 30  # weights above this go to a .data file (protobuf refuses 2 GB)
PRECISIONS = (precisions.FLOAT32, precisions.INT8)


class TextEncoder(torch.nn.Module):
    """T5 + projection + mask: the encoder states every decoder step of transformers sees."""

    def __init__(self, model):
        super().__init__()
        self.t5 = model.text_encoder
        self.proj = getattr(model, "enc_to_dec_proj", None)

    def forward(self, input_ids, attention_mask):
        h = self.t5(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.proj is not None:
            h = self.proj(h)
        return h * attention_mask[..., None]


def split_heads(x, heads):
    b, n, d = x.shape
    return x.view(b, n, heads, d // heads).transpose(1, 2)


class CrossKeyValues(torch.nn.Module):
    """Each decoder layer's cross-attention k_proj / v_proj of the encoder states, heads split."""

    def __init__(self, decoder):
        super().__init__()
        self.layers = decoder.layers
        self.heads = decoder.config.num_attention_heads

    def forward(self, encoder_hidden_states):
        out = []
        for layer in self.layers:
            a = layer.encoder_attn
            out += [split_heads(a.k_proj(encoder_hidden_states), self.heads),
                    split_heads(a.v_proj(encoder_hidden_states), self.heads)]
        return tuple(out)


def attend(q, k, v, additive_mask):
    """transformers' eager attention: softmax(q k^T + mask) v, q already scaled."""
    w = torch.matmul(q, k.transpose(-1, -2)) + additive_mask
    return torch.matmul(torch.softmax(w, dim=-1), v)


class Decoder(torch.nn.Module):
    """MusicgenForCausalLM over flat cache tensors: self-attention past in/out, cross keys/values in."""

    def __init__(self, causal_lm):
        super().__init__()
        self.decoder = causal_lm.model.decoder
        self.lm_heads = causal_lm.lm_heads
        c = causal_lm.config
        self.codebooks, self.heads, self.n_layers = c.num_codebooks, c.num_attention_heads, c.num_hidden_layers
        self.vocab = c.vocab_size

    def forward(self, input_ids, encoder_attention_mask, *caches):
        dec, n_layers = self.decoder, self.n_layers
        past, cross = caches[:2 * n_layers], caches[2 * n_layers:]
        codes = input_ids.reshape(-1, self.codebooks, input_ids.shape[-1])
        n = codes.shape[-1]
        past_len = past[0].shape[2]
        h = sum([dec.embed_tokens[k](codes[:, k]) for k in range(self.codebooks)]) * dec.embed_scale
        positions = torch.arange(n, device=h.device) + past_len
        h = h + dec.embed_positions.weights.index_select(0, positions)
        lowest = torch.finfo(h.dtype).min
        # causal: query j (at position past + j) sees keys 0 .. past + j
        keys = torch.arange(n, device=h.device)[None, :] + past_len
        seen = torch.arange(past_len + n, device=h.device)[None, :] <= keys.transpose(0, 1)
        self_mask = torch.where(seen, 0.0, lowest)[None, None]
        cross_mask = torch.where(encoder_attention_mask[:, None, None, :] > 0, 0.0, lowest)
        present = []
        for i, layer in enumerate(dec.layers):
            residual = h
            x = layer.self_attn_layer_norm(h)
            a = layer.self_attn
            q = split_heads(a.q_proj(x) * a.scaling, self.heads)
            k = torch.cat([past[2 * i], split_heads(a.k_proj(x), self.heads)], dim=2)
            v = torch.cat([past[2 * i + 1], split_heads(a.v_proj(x), self.heads)], dim=2)
            present += [k, v]
            o = attend(q, k, v, self_mask).transpose(1, 2).reshape(h.shape)
            h = residual + a.out_proj(o)
            residual = h
            x = layer.encoder_attn_layer_norm(h)
            a = layer.encoder_attn
            q = split_heads(a.q_proj(x) * a.scaling, self.heads)
            o = attend(q, cross[2 * i], cross[2 * i + 1], cross_mask).transpose(1, 2).reshape(h.shape)
            h = residual + a.out_proj(o)
            residual = h
            x = layer.final_layer_norm(h)
            h = residual + layer.fc2(layer.activation_fn(layer.fc1(x)))
        h = dec.layer_norm(h)
        logits = torch.stack([head(h) for head in self.lm_heads], dim=1)
        return (logits.reshape(-1, n, self.vocab),) + tuple(present)


class CodecDecode(torch.nn.Module):
    def __init__(self, codec):
        super().__init__()
        self.codec = codec

    def forward(self, audio_codes):
        # _decode_frame takes [b, codebooks, frames] (one chunk) without a scale: normalize is off
        return self.codec._decode_frame(audio_codes, None)


class CodecEncode(torch.nn.Module):
    def __init__(self, codec, bandwidth):
        super().__init__()
        self.codec = codec
        self.bandwidth = bandwidth

    def forward(self, input_values):
        embeddings = self.codec.encoder(input_values)
        return self.codec.quantizer.encode(embeddings, self.bandwidth).transpose(0, 1)


def reflectable_pad1d(hidden_states, paddings, mode="zero", value=0.0):
    """EncodecConv1d._pad1d without its Python condition on the length, which tracing would freeze
    (an input shorter than the padding would then be reflected out of range): the zeros that make
    a short input reflectable are always appended, zero of them when it is long enough."""
    if mode != "reflect":
        return torch.nn.functional.pad(hidden_states, paddings, mode, value)
    left, right = paddings
    length = hidden_states.shape[-1]
    extra = torch.clamp(torch.maximum(torch.as_tensor(left), torch.as_tensor(right)) - length + 1, min=0)
    padded = torch.nn.functional.pad(torch.nn.functional.pad(hidden_states, (0, extra)), (left, right), mode)
    return padded[..., :padded.shape[-1] - extra]


def graph_io(path):
    m = onnx.load(str(path), load_external_data=False)
    return [i.name for i in m.graph.input], [o.name for o in m.graph.output]


def cache_names(n_layers, prefix):
    return [f"{prefix}.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]


def export(module, args, path, inputs, outputs, dynamic, logits_width=None):
    """Traces `module` into the graph file `path` (see save_graph); returns the files written."""
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        traced = pathlib.Path(tmp) / path.name
        # over 2 GB torch writes every weight to a file of its own beside the graph; onnx.load reads them back
        torch.onnx.export(module.eval(), args, str(traced), opset_version=OPSET, dynamo=False, do_constant_folding=True,
                          input_names=inputs, output_names=outputs, dynamic_axes=dynamic)
        graph = onnx.load(str(traced))
    if logits_width is not None:
        declare_width(graph, "logits", logits_width)
    return save_graph(graph, path)


def save_graph(graph, path, limit=LARGE_GRAPH_BYTES):
    """Writes `graph` to `path`; one whose weights pass `limit` (protobuf's 2 GB ceiling: musicgen-medium
    and -large) keeps them in one file beside it, `<name>.data`, which ONNX Runtime reads when it opens
    the graph by path. Returns the package files written."""
    path = pathlib.Path(path)
    weights = sum(len(t.raw_data) for t in graph.graph.initializer)
    data = path.with_name(path.name + ".data")
    if data.exists():
        data.unlink()
    if weights < limit:
        onnx.save_model(graph, str(path))
        return [path.name]
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data.name, size_threshold=1024)
    return [path.name, data.name]


def export_graphs(model, out):
    """Writes the five graphs of the package into `out`; returns the files written."""
    written = []
    dc = model.decoder.config
    heads, layers, width = dc.num_attention_heads, dc.num_hidden_layers, dc.hidden_size
    head_size = width // heads
    g = torch.Generator().manual_seed(0)
    batch, text_len = 2, 5  # traced sizes; every size stays symbolic
    ids = torch.randint(3, model.text_encoder.config.vocab_size, (batch, text_len), generator=g)
    mask = torch.ones(batch, text_len, dtype=torch.long)
    mask[1, -2:] = 0
    written += export(TextEncoder(model), (ids, mask), out / TEXT_ENCODER_FILE, ["input_ids", "attention_mask"],
                      ["encoder_hidden_states"],
                      {"input_ids": {0: "batch", 1: "text_length"}, "attention_mask": {0: "batch", 1: "text_length"},
                       "encoder_hidden_states": {0: "batch", 1: "text_length"}})

    states = torch.randn(batch, text_len, width, generator=g)
    cross_out = cache_names(layers, "encoder_key_values")
    written += export(CrossKeyValues(model.decoder.model.decoder), (states,), out / CROSS_FILE, ["encoder_hidden_states"], cross_out,
                      {"encoder_hidden_states": {0: "batch", 1: "text_length"},
                       **{n: {0: "batch", 2: "text_length"} for n in cross_out}})

    # traced with a non-empty past and several new positions, so neither the concatenation nor the
    # causal mask is specialised to one case
    past_len, new = 3, 2
    codes = torch.randint(0, dc.vocab_size, (batch * dc.num_codebooks, new), generator=g)
    past = [torch.randn(batch, heads, past_len, head_size, generator=g) for _ in range(2 * layers)]
    cross = [torch.randn(batch, heads, text_len, head_size, generator=g) for _ in range(2 * layers)]
    past_in, present_out = cache_names(layers, "past_key_values"), cache_names(layers, "present")
    written += export(Decoder(model.decoder), (codes, mask, *past, *cross), out / DECODER_FILE,
                      ["input_ids", "encoder_attention_mask", *past_in, *cross_out], ["logits", *present_out],
                      {"input_ids": {0: "rows", 1: "new_length"}, "encoder_attention_mask": {0: "batch", 1: "text_length"},
                       **{n: {0: "batch", 2: "past_length"} for n in past_in},
                       **{n: {0: "batch", 2: "text_length"} for n in cross_out},
                       "logits": {0: "rows", 1: "new_length"},
                       **{n: {0: "batch", 2: "total_length"} for n in present_out}}, logits_width=dc.vocab_size)

    codec = model.audio_encoder
    channel_codebooks = dc.num_codebooks // dc.audio_channels
    frames = 7
    hop = hop_length(codec.config)
    from transformers.models.encodec.modeling_encodec import EncodecConv1d
    original = EncodecConv1d.__dict__["_pad1d"]
    EncodecConv1d._pad1d = staticmethod(reflectable_pad1d)
    try:
        written += export(CodecDecode(codec), (torch.randint(0, dc.vocab_size, (batch, channel_codebooks, frames), generator=g),),
                          out / CODEC_DECODE_FILE, ["audio_codes"], ["audio_values"],
                          {"audio_codes": {0: "batch", 2: "frames"}, "audio_values": {0: "batch", 2: "samples"}})
        written += export(CodecEncode(codec, codec.config.target_bandwidths[0]),
                          (0.1 * torch.randn(batch, 1, frames * hop + hop // 3, generator=g),),
                          out / CODEC_ENCODE_FILE, ["input_values"], ["audio_codes"],
                          {"input_values": {0: "batch", 2: "samples"}, "audio_codes": {0: "batch", 2: "frames"}})
    finally:
        EncodecConv1d._pad1d = original
    return written


def declare_width(graph, output, width):
    """Writes the last dimension of `output` into the graph's signature: the tracer leaves a reshape's
    result symbolic, and a package's logits must say how many ids they cover (ModelPackage checks)."""
    for o in graph.graph.output:
        if o.name == output:
            dim = o.type.tensor_type.shape.dim[-1]
            dim.Clear()
            dim.dim_value = width


def hop_length(codec_config):
    hop = 1
    for r in codec_config.upsampling_ratios:
        hop *= r
    return hop


def check_model(model):
    c = model.config
    if type(model) is not MusicgenForConditionalGeneration:
        raise SystemExit(f"{type(model).__name__}: only MusicgenForConditionalGeneration (text-conditioned) exports")
    if c.audio_encoder.model_type != "encodec" or c.audio_encoder.chunk_length_s is not None or c.audio_encoder.normalize:
        raise SystemExit("the audio codec must be EnCodec without chunking or normalisation (as encodec_32khz)")
    dc = c.decoder
    if dc.num_codebooks % dc.audio_channels:
        raise SystemExit(f"{dc.num_codebooks} codebooks do not split over {dc.audio_channels} channels")
    if dc.vocab_size != c.audio_encoder.codebook_size:
        raise SystemExit(f"decoder vocab_size {dc.vocab_size} != EnCodec codebook_size {c.audio_encoder.codebook_size}")
    q = model.audio_encoder.quantizer.get_num_quantizers_for_bandwidth(c.audio_encoder.target_bandwidths[0])
    if min(q, model.audio_encoder.quantizer.num_quantizers) != dc.num_codebooks // dc.audio_channels:
        raise SystemExit(f"EnCodec encodes {q} codebooks at its bandwidth, the decoder has "
                         f"{dc.num_codebooks // dc.audio_channels} per channel")
    if c.decoder.cross_attention_hidden_size is not None and c.decoder.cross_attention_hidden_size != dc.hidden_size:
        raise SystemExit("cross_attention_hidden_size other than the decoder's width is not supported")


def load_checkpoint(checkpoint):
    """The model and a folder holding its tokenizer files, from a folder or the hub."""
    model = MusicgenForConditionalGeneration.from_pretrained(checkpoint).eval()
    local = pathlib.Path(checkpoint)
    if local.is_dir():
        return model, local
    from huggingface_hub import snapshot_download
    return model, pathlib.Path(snapshot_download(checkpoint, allow_patterns=["tokenizer*", "spiece.model", "special_tokens_map.json"]))


def write_tokenizer(tokenizer_dir, path):
    src = pathlib.Path(tokenizer_dir) / TOKENIZER_FILE
    if src.is_file():
        shutil.copyfile(src, path)
        return
    from transformers import T5TokenizerFast
    if not (pathlib.Path(tokenizer_dir) / "spiece.model").is_file():
        raise SystemExit(f"{tokenizer_dir}: neither tokenizer.json nor spiece.model (the T5 tokenizer)")
    T5TokenizerFast.from_pretrained(str(tokenizer_dir)).backend_tokenizer.save(str(path))


def text_pad_id(tokenizer_json):
    """The id of T5's <pad> in tokenizer.json: what pads a batch of prompts (masked out)."""
    added = json.loads(pathlib.Path(tokenizer_json).read_text(encoding="utf-8"))["added_tokens"]
    ids = [t["id"] for t in added if t["content"] == "<pad>"]
    if not ids:
        raise SystemExit(f"{tokenizer_json}: no <pad> token (a T5 tokenizer has one)")
    return ids[0]


def quantize_decoder(out, written, precision):
    """The decoder graph in `precision` (precision.py); returns the manifest's record of it and the
    files written, now without the float32 .data file when the converted weights fit in the graph."""
    made = precisions.convert(out / DECODER_FILE, precision)
    if not made:
        return made, written
    # quantize_dynamic read the float32 weights from decoder.onnx.data and wrote them into the graph
    files = save_graph(onnx.load(str(out / DECODER_FILE)), out / DECODER_FILE)
    return made, [f for f in written if not f.startswith(DECODER_FILE)] + files


def write_package(model, tokenizer_dir, out, source, licence, top_k=DEFAULT_TOP_K, version="1", precision=precisions.FLOAT32):
    """Exports `model` into the folder `out` (the decoder in `precision`, precision.py) and writes its
    manifest; returns the manifest dict."""
    if precision not in PRECISIONS:
        raise SystemExit(f"MusicGen packages are made in {sorted(PRECISIONS)}, not {precision}")
    check_model(model)
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    made, written = quantize_decoder(out, export_graphs(model, out), precision)
    write_tokenizer(tokenizer_dir, out / TOKENIZER_FILE)
    gen = model.generation_config
    if gen.guidance_scale is None:
        gen.guidance_scale = DEFAULT_GUIDANCE
    (out / GENERATION_FILE).write_text(gen.to_json_string(use_diff=True))

    c, dc, codec = model.config, model.config.decoder, model.config.audio_encoder
    graphs = {}
    for role, f, logits in (("text_encoder", TEXT_ENCODER_FILE, None), ("cross_kv", CROSS_FILE, None),
                            ("decoder", DECODER_FILE, "logits"), ("encodec_decode", CODEC_DECODE_FILE, None),
                            ("encodec_encode", CODEC_ENCODE_FILE, None)):
        inputs, outputs = graph_io(out / f)
        graphs[role] = {"file": f, "inputs": inputs, "outputs": outputs, "logits": logits}
    files = written + [TOKENIZER_FILE, GENERATION_FILE]
    start = gen.decoder_start_token_id if gen.decoder_start_token_id is not None else dc.bos_token_id
    pad = gen.pad_token_id if gen.pad_token_id is not None else dc.pad_token_id
    max_length = gen.max_length or 1500
    manifest = {
        "formatVersion": 1,
        "family": FAMILY,
        "version": version,
        "files": [{"path": f, "sha256": sha256(out / f)} for f in files],
        "graphs": graphs,
        "vocabSize": dc.vocab_size,
        "config": {
            "num_codebooks": dc.num_codebooks, "audio_channels": dc.audio_channels,
            "num_hidden_layers": dc.num_hidden_layers, "num_attention_heads": dc.num_attention_heads,
            "hidden_size": dc.hidden_size, "head_size": dc.hidden_size // dc.num_attention_heads,
            "max_position_embeddings": dc.max_position_embeddings,
            "pad_token_id": pad, "decoder_start_token_id": start,
            "text_vocab_size": c.text_encoder.vocab_size, "text_pad_token_id": text_pad_id(out / TOKENIZER_FILE),
            "sampling_rate": codec.sampling_rate, "hop_length": hop_length(codec),
            "frame_rate": codec.frame_rate, "max_length": max_length,
        },
        "generation": {"doSample": True, "temperature": 1.0, "topK": top_k, "maxNewTokens": max_length - 1},
        **made,
        "source": {"checkpoint": source, "licence": licence,
                   "exporter": f"{EXPORTER} (torch {torch.__version__}, transformers {transformers.__version__}, "
                               f"opset {OPSET})"},
    }
    (out / "pianola-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="facebook/musicgen-small", help="hub name or local folder")
    ap.add_argument("--out", required=True, help="package folder to write")
    ap.add_argument("--source", help="the checkpoint as the manifest names it (default: --checkpoint; "
                    "pianola models install passes the hub repository and commit)")
    ap.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="default top-k of the package (audiocraft: 250)")
    ap.add_argument("--licence", default="CC-BY-NC-4.0 (facebook/musicgen-* model cards)", help="licence of the weights")
    ap.add_argument("--version", default="1")
    ap.add_argument("--precision", choices=["float32", "int8"], default="float32",
                    help="int8: dynamic quantization of the decoder (CPU; see precision.py)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, tokenizer_dir = load_checkpoint(args.checkpoint)
    m = write_package(model, tokenizer_dir, args.out, args.source or args.checkpoint, args.licence, args.top_k, args.version,
                      precisions.CHOICES[args.precision])
    print(json.dumps(m["files"], indent=2))


if __name__ == "__main__":
    sys.exit(main())

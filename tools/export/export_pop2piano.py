"""Turns a Pop2Piano checkpoint into a Pianola model package (family pop2piano).

    python tools/export/export_pop2piano.py [--checkpoint sweetcocoa/pop2piano | DIR] --out DIR
                                            [--activation relu | gelu_new] [--precision int8]

Needs the pinned packages of tools/export/requirements-pop2piano.txt (transformers 4.57.6, whose
Pop2Piano code the spec was read from, and optimum-onnx for the T5 decoder). A hub name needs
internet; a local folder (config.json, weights, generation_config.json, vocab.json) does not.

The package holds:
  encoder.onnx        composer embedding as frame 0 + the T5 encoder, one graph:
                        in : input_features [b, frames, 512] f32, composer_index [b] i64 (= token - 2052),
                             attention_mask [b, frames + 1] i64 (the first column is the composer slot)
                        out: last_hidden_state [b, frames + 1, 512]
  decoder.onnx        optimum's merged T5 decoder (decoder_model_merged.onnx): input_ids,
                      encoder_hidden_states, encoder_attention_mask, use_cache_branch,
                      past_key_values.{i}.{decoder,encoder}.{key,value} in; logits and
                      present.{i}.{decoder,encoder}.{key,value} out. The first step (use_cache_branch
                      false, empty past) computes the cross-attention keys/values, later steps pass
                      them through.
  composers.json      generation_config.composer_to_feature_token (composer1 -> 2052, ...)
  vocab.json          the tokenizer's vocabulary, copied as it is
  pianola-model.json  the manifest: files with sha256, graph I/O names, vocabSize, config constants,
                      and the precision (with how it was converted) when not float32

--precision int8: the decoder's MatMuls as int8 with dynamic activation quantization (precision.py,
inside the merged graph's If branches): a live stream decodes one row at a time, where a step reads
every weight once, so a quarter of the bytes makes a step about twice as fast on this CPU (README,
"Pop2Piano int8"). The encoder stays float32 (it runs once per segment). Dynamic quantization scales
each activation tensor by its own range, so an int8 row's tokens depend on the rows decoded with it;
tools/export/pop2piano_agreement.py measures how far int8 agrees with float32.

Why the decoder goes through T5ForConditionalGeneration (spec pop2piano_musicgen.md 1.10): optimum
has no Pop2Piano export, but the decoder's weights have T5's key names. Pop2PianoConfig keeps
feed_forward_proj "gated-gelu" yet runs ReLU gating (it never maps "gated-gelu" to gelu_new), so
Hugging Face's Pop2Piano is a T5 with "gated-relu": --activation relu (default) reproduces
transformers' generate token for token. --activation gelu_new gives what the original repo (trained
with transformers 4.16's gated-gelu = gelu_new) computed; both encoder and decoder follow the choice.
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
from transformers import (GenerationConfig, Pop2PianoForConditionalGeneration, T5Config,
                          T5ForConditionalGeneration)

FAMILY = "pop2piano"
EXPORTER = "tools/export/export_pop2piano.py 1"
OPSET = 17
ENCODER_FILE, DECODER_FILE = "encoder.onnx", "decoder.onnx"
COMPOSERS_FILE, VOCAB_FILE = "composers.json", "vocab.json"
ACTIVATIONS = {"relu": ("gated-relu", "relu"), "gelu_new": ("gated-gelu", "gelu_new")}
# what Java's ModelManifest.FAMILY_PRECISIONS lets a pop2piano package be (float16: no GPU here to test it)
PRECISIONS = (precisions.FLOAT32, precisions.INT8)


class ComposerEncoder(torch.nn.Module):
    """Pop2Piano's mel conditioner and T5 encoder as one graph (what generate runs before decoding)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_features, composer_index, attention_mask):
        composer = self.model.mel_conditioner.embedding(composer_index).unsqueeze(1)
        embeds = torch.cat([composer, input_features], dim=1)
        return self.model.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state


def graph_io(path):
    m = onnx.load(str(path), load_external_data=False)
    return [i.name for i in m.graph.input], [o.name for o in m.graph.output]


def set_activation(model, activation):
    """Every gated feed-forward of `model` uses `activation` (the config alone is read at init only)."""
    from transformers.activations import ACT2FN
    model.config.dense_act_fn = activation
    for module in model.modules():
        if hasattr(module, "wi_0") and hasattr(module, "act"):
            module.act = ACT2FN[activation]


def export_encoder(model, path):
    d = model.config.d_model
    batch, frames = 2, 40  # traced sizes; every size stays symbolic
    g = torch.Generator().manual_seed(0)
    args = (torch.randn(batch, frames, d, generator=g), torch.tensor([0, 5]),
            torch.ones(batch, frames + 1, dtype=torch.long))
    with torch.no_grad():
        torch.onnx.export(ComposerEncoder(model).eval(), args, str(path), opset_version=OPSET, dynamo=False,
                          do_constant_folding=True,
                          input_names=["input_features", "composer_index", "attention_mask"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_features": {0: "batch_size", 1: "num_frames"},
                                        "composer_index": {0: "batch_size"},
                                        "attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
                                        "last_hidden_state": {0: "batch_size", 1: "encoder_sequence_length"}})


def export_decoder(model, path, activation):
    """The decoder weights in a T5ForConditionalGeneration, exported by optimum; keeps the merged graph."""
    from optimum.exporters.onnx import main_export
    c = model.config
    t5 = T5ForConditionalGeneration(T5Config(
        vocab_size=c.vocab_size, d_model=c.d_model, d_kv=c.d_kv, d_ff=c.d_ff, num_layers=c.num_layers,
        num_decoder_layers=c.num_decoder_layers, num_heads=c.num_heads,
        relative_attention_num_buckets=c.relative_attention_num_buckets,
        relative_attention_max_distance=c.relative_attention_max_distance, layer_norm_epsilon=c.layer_norm_epsilon,
        feed_forward_proj=ACTIVATIONS[activation][0], tie_word_embeddings=c.tie_word_embeddings,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)).eval()
    weights = {k: v for k, v in model.state_dict().items() if not k.startswith("mel_conditioner.")}
    missing, unexpected = t5.load_state_dict(weights, strict=False)
    # T5 ties encoder/decoder embed_tokens to `shared`; those two keys may be reported, nothing else
    missing = [k for k in missing if not k.endswith("embed_tokens.weight")]
    if missing or unexpected:
        raise SystemExit(f"decoder weights do not map onto T5: missing {missing}, unexpected {unexpected}")
    t5.generation_config = GenerationConfig(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)
    with tempfile.TemporaryDirectory() as tmp:
        t5.save_pretrained(f"{tmp}/t5")
        main_export(f"{tmp}/t5", output=f"{tmp}/onnx", task="text2text-generation-with-past",
                    opset=OPSET, do_validation=False)
        shutil.copyfile(f"{tmp}/onnx/decoder_model_merged.onnx", path)


def load_checkpoint(checkpoint):
    """The model, its composer map and its vocab.json path, from a folder or the hub."""
    local = pathlib.Path(checkpoint)
    model = Pop2PianoForConditionalGeneration.from_pretrained(checkpoint).eval()
    composers = dict(model.generation_config.composer_to_feature_token)
    if local.is_dir():
        vocab = local / VOCAB_FILE
    else:
        from huggingface_hub import hf_hub_download
        vocab = pathlib.Path(hf_hub_download(checkpoint, VOCAB_FILE))
    if not vocab.is_file():
        raise SystemExit(f"{vocab}: no vocab.json beside the checkpoint (the tokenizer's vocabulary)")
    return model, composers, vocab


def write_package(model, composers, vocab, out, source, licence, activation="relu", version="1", precision=precisions.FLOAT32):
    """Exports `model` into the folder `out` (the decoder in `precision`, precision.py) and writes its
    manifest; returns the manifest dict."""
    if precision not in PRECISIONS:
        raise SystemExit(f"Pop2Piano packages are made in {sorted(PRECISIONS)}, not {precision}")
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    set_activation(model, ACTIVATIONS[activation][1])
    export_encoder(model, out / ENCODER_FILE)
    export_decoder(model, out / DECODER_FILE, activation)
    made = precisions.convert(out / DECODER_FILE, precision, subgraphs=True)
    (out / COMPOSERS_FILE).write_text(json.dumps(dict(sorted(composers.items(), key=lambda kv: kv[1])), indent=1) + "\n")
    shutil.copyfile(vocab, out / VOCAB_FILE)
    c = model.config
    if len(composers) != c.composer_vocab_size:
        raise SystemExit(f"{len(composers)} composers in generation_config, composer_vocab_size is {c.composer_vocab_size}")
    graphs = {}
    for role, f, logits in (("encoder", ENCODER_FILE, None), ("decoder", DECODER_FILE, "logits")):
        inputs, outputs = graph_io(out / f)
        graphs[role] = {"file": f, "inputs": inputs, "outputs": outputs, "logits": logits}
    files = [ENCODER_FILE, DECODER_FILE, COMPOSERS_FILE, VOCAB_FILE]
    manifest = {
        "formatVersion": 1,
        "family": FAMILY,
        "version": version,
        "files": [{"path": f, "sha256": sha256(out / f)} for f in files],
        "graphs": graphs,
        "vocabSize": c.vocab_size,
        "config": {
            "d_model": c.d_model, "d_kv": c.d_kv, "num_heads": c.num_heads, "num_layers": c.num_layers,
            "num_decoder_layers": c.num_decoder_layers, "composer_vocab_size": c.composer_vocab_size,
            "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0,
            "max_length": model.generation_config.max_length or 256,
        },
        "generation": {"doSample": False, "maxNewTokens": (model.generation_config.max_length or 256) - 1},
        **made,
        "source": {"checkpoint": source, "licence": licence,
                   "exporter": f"{EXPORTER} (torch {torch.__version__}, transformers {transformers.__version__}, "
                               f"opset {OPSET}, activation {activation})"},
    }
    (out / "pianola-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="sweetcocoa/pop2piano", help="hub name or local folder")
    ap.add_argument("--out", required=True, help="package folder to write")
    ap.add_argument("--source", help="the checkpoint as the manifest names it (default: --checkpoint; "
                    "pianola models install passes the hub repository and commit)")
    ap.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu",
                    help="relu: Hugging Face parity (default); gelu_new: the original repo's computation")
    ap.add_argument("--licence", default="see the checkpoint's model card", help="licence of the weights")
    ap.add_argument("--version", default="1")
    ap.add_argument("--precision", choices=["float32", "int8"], default="float32",
                    help="int8: dynamic quantization of the decoder (CPU, live use; see precision.py)")
    args = ap.parse_args()
    model, composers, vocab = load_checkpoint(args.checkpoint)
    m = write_package(model, composers, vocab, args.out, args.source or args.checkpoint, args.licence, args.activation, args.version,
                      precisions.CHOICES[args.precision])
    print(json.dumps(m["files"], indent=2))


if __name__ == "__main__":
    sys.exit(main())

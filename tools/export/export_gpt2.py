"""Turns a GPT-2 checkpoint into a Pianola model package (family gpt2-remi).

    python tools/export/export_gpt2.py [--checkpoint Natooz/Maestro-REMI-bpe20k | DIR] --out DIR [--precision int8|float16]

Needs the pinned packages of tools/export/requirements.txt. A hub name needs internet; a local
folder (config.json + weights, and tokenizer.json or tokenizer.conf for REMI) does not.

The package holds:
  decoder.onnx          one graph for the prefill and every step (see below)
  tokenizer.json        the checkpoint's MidiTok REMI+BPE tokenizer file, copied as it is (when there)
  pianola-model.json    the manifest: files with sha256, graph input/output names, vocabSize,
                        precision (when not float32: how the graph was converted, precision.py),
                        config constants, generation defaults, source and licence

Why one graph and not optimum's decoder + decoder-with-past (or their merged form with an If on
use_cache_branch): GPT-2's attention concatenates the past with the new keys, and ONNX Runtime
accepts a past whose sequence dimension is 0, so the graph traced with a cache also does the
prefill when fed an empty cache. One file is half the disk and memory of two, needs no If node,
and the Java loop (dev.pianola.runtime.KvDecoder) feeds it the same way every step. It still
accepts optimum's merged graphs (it sets use_cache_branch when the graph has that input).

Graph I/O (names follow optimum's convention):
  in : input_ids [b, s] int64, attention_mask [b, past + s] int64, position_ids [b, s] int64,
       past_key_values.{i}.key / .value [b, n_head, past, head_size] float32
  out: logits [b, s, vocab] float32, present.{i}.key / .value [b, n_head, past + s, head_size]
Attention is traced in transformers' eager implementation: the SDPA one decides on masking with
Python conditions that tracing would freeze.
"""
import argparse
import json
import pathlib
import shutil
import sys

# the exporters share package_files.py; they are also loaded by path from tools/reference and tools/bench
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from package_files import sha256  # noqa: E402
import precision as precisions  # noqa: E402

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel

FAMILY = "gpt2-remi"
EXPORTER = "tools/export/export_gpt2.py 1"
OPSET = 17
GRAPH_FILE = "decoder.onnx"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.conf")
# The paper's generation settings (BPE-Symbolic-Music exp_generation.py); see symbolic.md 2.6.
PAPER_GENERATION = {"doSample": True, "temperature": 2.5, "topK": 15, "topP": 0.95,
                    "repetitionPenalty": 1.0, "maxNewTokens": 512}


class WithPast(torch.nn.Module):
    """GPT2LMHeadModel with the cache as flat tensors in and out, the form ONNX needs."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.n_layer = model.config.n_layer

    def forward(self, input_ids, attention_mask, position_ids, *past):
        pkv = tuple((past[2 * i], past[2 * i + 1]) for i in range(self.n_layer))
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                         past_key_values=pkv, use_cache=True, return_dict=True)
        flat = [t for kv in out.past_key_values for t in kv]
        return (out.logits, *flat)


def io_names(n_layer):
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    return ["input_ids", "attention_mask", "position_ids"] + past, ["logits"] + present


def export_graph(model, path):
    model = model.eval()
    cfg = model.config
    if model.transformer._attn_implementation != "eager":
        raise SystemExit("load the model with attn_implementation='eager' (see the module comment)")
    inputs, outputs = io_names(cfg.n_layer)
    head = cfg.n_embd // cfg.n_head
    batch, past_len, seq = 2, 3, 4  # traced with a non-empty cache; every size stays symbolic
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (batch, seq), generator=g)
    mask = torch.ones(batch, past_len + seq, dtype=torch.long)
    pos = torch.arange(past_len, past_len + seq).unsqueeze(0).expand(batch, -1).contiguous()
    past = [torch.randn(batch, cfg.n_head, past_len, head, generator=g) for _ in range(2 * cfg.n_layer)]
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "total"},
               "position_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}}
    for name in inputs[3:]:
        dynamic[name] = {0: "batch", 2: "past"}
    for name in outputs[1:]:
        dynamic[name] = {0: "batch", 2: "total"}
    with torch.no_grad():
        # the wrapper in eval mode: export restores the wrapper's mode on every submodule afterwards
        torch.onnx.export(WithPast(model).eval(), (ids, mask, pos, *past), str(path), input_names=inputs,
                          output_names=outputs, dynamic_axes=dynamic, opset_version=OPSET,
                          do_constant_folding=True, dynamo=False)
    return inputs, outputs


def write_package(model, out, source, licence, generation, extra_files=(), version="1", precision=precisions.FLOAT32):
    """Exports `model` into the folder `out` in `precision` (precision.py) and writes its manifest;
    returns the manifest dict."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    inputs, outputs = export_graph(model, out / GRAPH_FILE)
    made = precisions.convert(out / GRAPH_FILE, precision)
    files = [GRAPH_FILE]
    for f in extra_files:
        shutil.copyfile(f, out / pathlib.Path(f).name)
        files.append(pathlib.Path(f).name)
    cfg = model.config
    manifest = {
        "formatVersion": 1,
        "family": FAMILY,
        "version": version,
        "files": [{"path": f, "sha256": sha256(out / f)} for f in files],
        "graphs": {"decoder": {"file": GRAPH_FILE, "inputs": inputs, "outputs": outputs, "logits": "logits"}},
        "vocabSize": cfg.vocab_size,
        **made,
        "config": {
            "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd, "n_positions": cfg.n_positions,
            "bos_token_id": cfg.bos_token_id, "eos_token_id": cfg.eos_token_id,
            "pad_token_id": cfg.pad_token_id if cfg.pad_token_id is not None else 0,
        },
        "generation": generation,
        "source": {"checkpoint": source, "licence": licence,
                   "exporter": f"{EXPORTER} (torch {torch.__version__}, transformers {transformers.__version__}, opset {OPSET})"},
    }
    (out / "pianola-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_checkpoint(checkpoint):
    """The model (eager attention) and its tokenizer files, from a folder or the hub."""
    local = pathlib.Path(checkpoint)
    if local.is_dir():
        model = GPT2LMHeadModel.from_pretrained(local, attn_implementation="eager")
        tok = [local / n for n in TOKENIZER_FILES if (local / n).is_file()][:1]
        return model, tok
    from huggingface_hub import hf_hub_download
    model = GPT2LMHeadModel.from_pretrained(checkpoint, attn_implementation="eager")
    for name in TOKENIZER_FILES:
        try:
            return model, [pathlib.Path(hf_hub_download(checkpoint, name))]
        except Exception:  # the file has had both names on the hub (symbolic.md 2.1)
            continue
    return model, []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="Natooz/Maestro-REMI-bpe20k", help="hub name or local folder")
    ap.add_argument("--out", required=True, help="package folder to write")
    ap.add_argument("--source", help="the checkpoint as the manifest names it (default: --checkpoint; "
                    "pianola models install passes the hub repository and commit)")
    ap.add_argument("--licence", default="see the checkpoint's model card", help="licence of the weights")
    ap.add_argument("--version", default="1")
    ap.add_argument("--greedy", action="store_true", help="generation defaults: greedy instead of the paper's sampling")
    ap.add_argument("--precision", choices=sorted(precisions.CHOICES), default="float32",
                    help="int8: dynamic quantization of the decoder (CPU); float16: for GPUs (see precision.py)")
    args = ap.parse_args()
    model, tok = load_checkpoint(args.checkpoint)
    if not tok:
        print("warning: no tokenizer.json/tokenizer.conf found; the package will hold ids only", file=sys.stderr)
    gen = {"doSample": False, "maxNewTokens": 512} if args.greedy else PAPER_GENERATION
    m = write_package(model, args.out, args.source or args.checkpoint, args.licence, gen, tok, args.version,
                      precisions.CHOICES[args.precision])
    print(json.dumps(m["files"], indent=2))


if __name__ == "__main__":
    main()

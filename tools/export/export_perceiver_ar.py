"""Turns a Perceiver AR symbolic-audio checkpoint into a Pianola model package (family perceiver-ar).

    python tools/export/export_perceiver_ar.py [--checkpoint krasserm/perceiver-ar-sam-giant-midi | DIR] --out DIR [--precision int8]

Needs the pinned packages of tools/reference/requirements-perceiver-ar.txt (torch, onnx, perceiver-io
0.11.0 installed --no-deps with einops and fairscale). A local folder holds the HF files
config.json (with its "model_config" dict) and pytorch_model.bin (keys prefixed "backend_model.");
it is rebuilt with perceiver-io's CausalSequenceModel, which is what SymbolicAudioModel is, so
no Lightning is needed. A hub name needs internet and the full perceiver-io[audio] install.

The package holds:
  prefill.onnx          PREFILL(prefix_ids [1,P], latent_ids [1,N]) -> logits [1,N,V] and the caches
  step.onnx             STEP(ids [1,T], past caches) -> logits [1,T,V] and the caches grown by T
  pianola-model.json    manifest: files with sha256, graph names, vocabSize, config, generation defaults

Caches (k/v before rotary, [1, length, num_channels], symbolic.md 1.5/1.7):
  ca.key/ca.value            the hybrid cross-attention layer's keys/values, prefix + latents
  sa.{i}.key/sa.{i}.value    self-attention layer i's keys/values over the latents, i = 0..L-1
Why two graphs: the prefill splits the window into prefix and latents (the cross-attention queries
only the latents), which a step graph with prefix_len 0 cannot express; the step graph then treats
each new token as a latent, exactly as the HF cached path does. The Java loop trims the caches
between steps (dev.pianola.models.perceiver.PerceiverArGenerator).

The one patch (symbolic.md 1.7 item 1): FrequencyPositionEncoding.forward runs einsum on int64
positions and float frequencies; ONNX Runtime refuses such an Einsum, so positions are cast to
float first. The result is numerically the same as eager PyTorch.
"""
import argparse
import json
import pathlib
import sys

# the exporters share package_files.py; they are also loaded by path from tools/reference and tools/bench
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from package_files import sha256  # noqa: E402
import precision as precisions  # noqa: E402

import torch
from einops import repeat

from perceiver.model.core import CausalSequenceModel, CausalSequenceModelConfig
from perceiver.model.core import position as perceiver_position

FAMILY = "perceiver-ar"
EXPORTER = "tools/export/export_perceiver_ar.py 1"
OPSET = 17
PREFILL_FILE = "prefill.onnx"
STEP_FILE = "step.onnx"
PAD_ID = 388
# The model card's pipeline example (symbolic.md 1.5): do_sample, top_p 0.95, temperature 1.0,
# 1024 new tokens, num_latents 1; top_k 50 is transformers' default, active because unset.
CARD_GENERATION = {"doSample": True, "temperature": 1.0, "topK": 50, "topP": 0.95,
                   "repetitionPenalty": 1.0, "maxNewTokens": 1024}
CARD_NUM_LATENTS = 1


def _float_positions_forward(self, abs_pos):
    """FrequencyPositionEncoding.forward with the positions cast to the frequencies' dtype."""
    pos_enc = abs_pos.to(self.inv_freq.dtype)[..., None] * self.inv_freq
    return repeat(pos_enc, "... pf -> ... (pf r)", r=2)


def patch_position_encoding():
    perceiver_position.FrequencyPositionEncoding.forward = _float_positions_forward


def cache_names(n_sa_layers):
    names = ["ca.key", "ca.value"]
    for i in range(n_sa_layers):
        names += [f"sa.{i}.key", f"sa.{i}.value"]
    return names


class Prefill(torch.nn.Module):
    """prefix + latents -> latent logits and the caches the model builds from them."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, prefix_ids, latent_ids):
        x = torch.cat([prefix_ids, latent_ids], 1)
        out = self.model(x, prefix_len=prefix_ids.shape[1], kv_cache=[])
        return (out.logits, *[t for kv in out.kv_cache for t in kv])


class Step(torch.nn.Module):
    """New tokens (all latents: prefix_len 0 with a cache, as in the HF cached path) + caches."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, *flat):
        cache = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
        out = self.model(ids, prefix_len=0, kv_cache=cache)
        return (out.logits, *[t for kv in out.kv_cache for t in kv])


def export_graphs(model, out):
    """Writes prefill.onnx and step.onnx; returns the manifest's graphs dict."""
    cfg = model.config
    caches = cache_names(cfg.num_self_attention_layers)
    p, n = 3, 2  # example lengths only; every length axis is dynamic
    x = torch.randint(0, PAD_ID, (1, p + n), generator=torch.Generator().manual_seed(0))
    prefill_in = ["prefix_ids", "latent_ids"]
    prefill_out = ["logits"] + [f"present.{c}" for c in caches]
    dyn = {"prefix_ids": {1: "prefix_len"}, "latent_ids": {1: "num_latents"}, "logits": {1: "num_latents"}}
    for c in caches:
        dyn[f"present.{c}"] = {1: "window_len" if c.startswith("ca.") else "num_latents"}
    with torch.no_grad():
        torch.onnx.export(Prefill(model).eval(), (x[:, :p], x[:, p:]), str(out / PREFILL_FILE),
                          input_names=prefill_in, output_names=prefill_out, dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)
        flat = [t for kv in model(x, prefix_len=p, kv_cache=[]).kv_cache for t in kv]
    step_in = ["ids"] + [f"past.{c}" for c in caches]
    step_out = ["logits"] + [f"present.{c}" for c in caches]
    dyn = {"ids": {1: "new_len"}, "logits": {1: "new_len"}}
    for c in caches:
        axis = "ca_len" if c.startswith("ca.") else "sa_len"
        dyn[f"past.{c}"] = {1: axis}
        dyn[f"present.{c}"] = {1: axis + "_out"}
    ids = torch.tensor([[1]])
    with torch.no_grad():
        torch.onnx.export(Step(model).eval(), (ids, *flat), str(out / STEP_FILE),
                          input_names=step_in, output_names=step_out, dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)
    return {
        "prefill": {"file": PREFILL_FILE, "inputs": prefill_in, "outputs": prefill_out, "logits": "logits"},
        "step": {"file": STEP_FILE, "inputs": step_in, "outputs": step_out, "logits": "logits"},
    }


def write_package(model, out, source, licence, generation=None, version="1", num_latents=CARD_NUM_LATENTS,
                  precision=precisions.FLOAT32):
    """Exports `model` (a CausalSequenceModel, eval mode) into `out` in `precision` (precision.py);
    returns the manifest dict."""
    patch_position_encoding()
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    graphs = export_graphs(model, out)
    made = {}
    for f in (PREFILL_FILE, STEP_FILE):  # both graphs the same way, so one record describes them
        made = precisions.convert(out / f, precision)
    cfg = model.config
    manifest = {
        "formatVersion": 1,
        "family": FAMILY,
        "version": version,
        "files": [{"path": f, "sha256": sha256(out / f)} for f in (PREFILL_FILE, STEP_FILE)],
        "graphs": graphs,
        "vocabSize": cfg.vocab_size,
        **made,
        "config": {
            "max_seq_len": model.max_seq_len,
            "max_latents": model.max_latents,
            "max_prefix_len": model.max_prefix_len,
            "num_channels": cfg.num_channels,
            "num_heads": cfg.num_heads,
            "num_self_attention_layers": cfg.num_self_attention_layers,
            "pad_token_id": PAD_ID,
            "num_latents": num_latents,
        },
        "generation": generation or CARD_GENERATION,
        "source": {"checkpoint": source, "licence": licence,
                   "exporter": f"{EXPORTER} (torch {torch.__version__}, opset {OPSET}, position float-cast patch)"},
    }
    (out / "pianola-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_checkpoint(checkpoint):
    """The backend CausalSequenceModel from a local HF folder or the hub, in eval mode."""
    local = pathlib.Path(checkpoint)
    if local.is_dir():
        config = json.loads((local / "config.json").read_text())["model_config"]
        known = set(CausalSequenceModelConfig.__dataclass_fields__)
        model = CausalSequenceModel(CausalSequenceModelConfig(**{k: v for k, v in config.items() if k in known}))
        state = torch.load(local / "pytorch_model.bin", map_location="cpu", weights_only=True)
        prefix = "backend_model."
        model.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
        return model.eval()
    # the hub path imports the audio package, which needs perceiver-io[audio]'s full dependencies
    from perceiver.model.audio.symbolic import PerceiverSymbolicAudioModel
    return PerceiverSymbolicAudioModel.from_pretrained(checkpoint).backend_model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="krasserm/perceiver-ar-sam-giant-midi", help="hub name or local folder")
    ap.add_argument("--out", required=True, help="package folder to write")
    ap.add_argument("--source", help="the checkpoint as the manifest names it (default: --checkpoint; "
                    "pianola models install passes the hub repository and commit)")
    ap.add_argument("--licence", default="Apache-2.0 (perceiver-io); see the checkpoint's model card")
    ap.add_argument("--version", default="1")
    ap.add_argument("--precision", choices=["float32", "int8"], default="float32",
                    help="int8: dynamic quantization of both graphs for the CPU (see precision.py)")
    args = ap.parse_args()
    m = write_package(load_checkpoint(args.checkpoint), args.out, args.source or args.checkpoint, args.licence, version=args.version,
                      precision=precisions.CHOICES[args.precision])
    json.dump(m["files"], sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

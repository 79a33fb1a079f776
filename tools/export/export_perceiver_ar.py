"""Turns a Perceiver AR symbolic-audio checkpoint into a Pianola model package (family perceiver-ar).

    python tools/export/export_perceiver_ar.py [--checkpoint krasserm/perceiver-ar-sam-giant-midi | DIR] --out DIR [--precision int8]

Needs the pinned packages of tools/reference/requirements-perceiver-ar.txt (torch, onnx, perceiver-io
0.11.0 installed --no-deps with einops and fairscale). A local folder holds the HF files
config.json (with its "model_config" dict) and pytorch_model.bin (keys prefixed "backend_model.");
it is rebuilt with perceiver-io's CausalSequenceModel, which is what SymbolicAudioModel is, so
no Lightning is needed. A hub name needs internet and the full perceiver-io[audio] install.

The package holds:
  decoder.onnx          DECODER(prefix_ids [1,P], latent_ids [1,N], past.* caches) -> logits [1,N,V]
                        and new.*: the rows the run adds to each cache, P+N (cross-attention) and
                        N (self-attention); the caller appends them to its caches
  pianola-model.json    manifest: files with sha256, graph names, vocabSize, config, generation defaults

Caches (k/v before rotary, [1, length, num_channels], symbolic.md 1.5/1.7):
  ca.key/ca.value            the hybrid cross-attention layer's keys/values, prefix + latents
  sa.{i}.key/sa.{i}.value    self-attention layer i's keys/values over the latents, i = 0..L-1
One graph, so one copy of the weights in memory: the prefill is DECODER(prompt prefix, latents,
empty caches), a step DECODER(no prefix, the new id, caches), which is the HF cached path (each new
token a latent). Packages of exporter version 1 held a PREFILL and a STEP graph, each with its own
copy of the weights; Java refuses them with a line asking for a re-export. The Java loop keeps the
caches in buffers of its own, appends the new rows and trims by moving a window's start, so the
kept rows are not copied each step (dev.pianola.models.perceiver.PerceiverArGenerator).

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
EXPORTER = "tools/export/export_perceiver_ar.py 4"
OPSET = 17
DECODER_FILE = "decoder.onnx"
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


class Decoder(torch.nn.Module):
    """One forward for the prefill and every step: new prefix ids and latent ids on top of the caches.

    PerceiverAR.forward generalised: the cross-attention's keys/values are the past rows, then the new
    prefix tokens' rows, then the latents' (q_norm); positions are 0..n-1 over the whole window
    (n = past rows + new ids), right-aligned for the queries and the self-attention. With empty
    caches it is the model's prefill (prefix_len = number of prefix ids); with no prefix ids and one
    latent it is the HF cached step (prefix_len 0 with a cache). Same modules, same calls, so the same
    arithmetic as perceiver-io's own forward.

    A prefix token's keys/values are k_proj/v_proj(kv_norm(embedding)), cached before the rotary
    embedding: without an absolute position embedding they depend on the token id alone. So they are
    computed here once for the whole vocabulary (2 x vocab x channels floats: 2.4 MB at full size) and the graph looks them up:
    the prefill costs the latents' pass only, however long the prefix, and nothing of it is left for
    a streaming prefill to run ahead (dev.pianola.live.PerceiverEngine says why the rest cannot be).
    """

    def __init__(self, model):
        super().__init__()
        if model.config.abs_pos_emb:
            raise ValueError("this exporter needs abs_pos_emb=False (as the GiantMIDI checkpoint has): with an absolute"
                             " position embedding a prefix token's cross-attention keys depend on its position")
        self.model = model
        cross = model.cross_attention[0].module  # Residual(CrossAttention)
        with torch.no_grad():
            normed = cross.kv_norm(model.input_adapter.txt_embedding.weight)
            self.register_buffer("prefix_keys", cross.attention.k_proj(normed).detach().clone())
            self.register_buffer("prefix_values", cross.attention.v_proj(normed).detach().clone())

    def forward(self, prefix_ids, latent_ids, *flat):
        m = self.model
        # the prefix's rows join the past rows: the cross-attention then sees no prefix input of its own
        ca_cache = (torch.cat([flat[0], self.prefix_keys[prefix_ids]], 1),
                    torch.cat([flat[1], self.prefix_values[prefix_ids]], 1))
        sa_cache = [(flat[2 * i], flat[2 * i + 1]) for i in range(1, len(flat) // 2)]
        n = ca_cache[0].shape[1] + latent_ids.shape[1]
        x, frq_pos_enc = m.input_adapter(latent_ids, abs_pos=perceiver_position.positions(1, n, device=latent_ids.device))
        rotary = perceiver_position.RotaryPositionEmbedding(frq_pos_enc, right_align=True)
        ca = m.cross_attention(x, x_kv_prefix=x[:, :0], rot_pos_emb_q=rotary, rot_pos_emb_k=rotary, kv_cache=ca_cache)
        sa = m.self_attention(ca.last_hidden_state, rot_pos_emb=rotary, kv_cache=sa_cache)
        h = sa.last_hidden_state
        if m.config.output_norm:
            h = m.out_norm(h)
        logits = m.output_adapter(h, txt_embedding=m.input_adapter.txt_embedding)
        # only the rows this run adds: the caller keeps the caches, so nothing it already has is copied out
        grown = [ca.kv_cache, *sa.kv_cache]
        return (logits, *[t[:, flat[2 * i].shape[1]:] for i, kv in enumerate(grown) for t in kv])


def export_graphs(model, out):
    """Writes decoder.onnx; returns the manifest's graphs dict."""
    cfg = model.config
    caches = cache_names(cfg.num_self_attention_layers)
    p, n = 3, 2  # example lengths only; every length axis is dynamic (0 included)
    x = torch.randint(0, PAD_ID, (1, p + n + 3), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        flat = [t for kv in model(x[:, :p + n], prefix_len=p, kv_cache=[]).kv_cache for t in kv]
    inputs = ["prefix_ids", "latent_ids"] + [f"past.{c}" for c in caches]
    outputs = ["logits"] + [f"new.{c}" for c in caches]
    dyn = {"prefix_ids": {1: "prefix_len"}, "latent_ids": {1: "num_latents"}, "logits": {1: "num_latents"}}
    for c in caches:
        axis = "ca_len" if c.startswith("ca.") else "sa_len"
        dyn[f"past.{c}"] = {1: axis}
        dyn[f"new.{c}"] = {1: "new_rows" if c.startswith("ca.") else "num_latents"}
    with torch.no_grad():
        # traced with a cache, new prefix ids and two latents, so that no length is taken for a constant
        torch.onnx.export(Decoder(model).eval(), (x[:, p + n:p + n + 1], x[:, p + n + 1:], *flat), str(out / DECODER_FILE),
                          input_names=inputs, output_names=outputs, dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)
    return {"decoder": {"file": DECODER_FILE, "inputs": inputs, "outputs": outputs, "logits": "logits"}}


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
    made = precisions.convert(out / DECODER_FILE, precision)
    cfg = model.config
    manifest = {
        "formatVersion": 1,
        "family": FAMILY,
        "version": version,
        "files": [{"path": f, "sha256": sha256(out / f)} for f in (DECODER_FILE,)],
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
                    help="int8: dynamic quantization of the decoder graph for the CPU (see precision.py)")
    args = ap.parse_args()
    m = write_package(load_checkpoint(args.checkpoint), args.out, args.source or args.checkpoint, args.licence, version=args.version,
                      precision=precisions.CHOICES[args.precision])
    json.dump(m["files"], sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

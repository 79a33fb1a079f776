"""int8 GPT-2 fixtures for the Java runtime (dev.pianola.models.remi.Gpt2GeneratorTest).

    /tmp/torchvenv/bin/python tools/reference/gpt2_int8_fixtures.py    (pins: requirements-torch.txt)

Writes tests/fixtures/gpt2/:
  tiny-int8/               the tiny random GPT-2 of gpt2_fixtures.py (same seed, same weights),
                           exported by tools/export/export_gpt2.py with --precision int8
  generations-int8.json    greedy tokens of ONNX Runtime (Python) on that int8 graph, for the
                           single-prompt cases of generations.json, and the smallest top-2 logit gap

The reference for a quantized graph is ONNX Runtime itself, not torch: the int8 graph computes other
numbers than the float32 model by design. It is fed as Java's loop feeds it (KvDecoder: the whole
prompt with an empty cache, then one token per step), because dynamic quantization scales each
activation tensor by its own range, so another split of the same tokens gives other logits. Batched
cases are left out: their padded rows enter those ranges too, and that is the float32 tests' subject.
"""
import json
import pathlib
import sys

import numpy as np
import onnxruntime as ort

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
sys.path.insert(0, str(ROOT / "tools" / "reference"))
import export_gpt2  # noqa: E402
import precision  # noqa: E402
from gpt2_fixtures import OUT, SEED, check_versions, tiny_model  # noqa: E402


def greedy(session, cfg, prompt, new_tokens, eos):
    """Greedy decoding as Java's KvDecoder feeds the graph; the new tokens and the smallest top-2 gap."""
    head = cfg.n_embd // cfg.n_head
    names = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    past = [np.zeros((1, cfg.n_head, 0, head), np.float32) for _ in names[3:]]
    ids, tokens, gaps = list(prompt), [], []
    feed_ids = ids
    while len(tokens) < new_tokens:
        start = len(ids) - len(feed_ids)
        feeds = {"input_ids": np.array([feed_ids], np.int64), "attention_mask": np.ones((1, len(ids)), np.int64),
                 "position_ids": np.arange(start, len(ids), dtype=np.int64)[None]}
        feeds.update(zip(names[3:], past))
        out = session.run(outputs, feeds)
        logits, past = out[0][0, -1], out[1:]
        top2 = np.sort(logits)[-2:]
        gaps.append(float(top2[1] - top2[0]))
        tok = int(np.argmax(logits))
        tokens.append(tok)
        if tok == eos:
            break
        ids.append(tok)
        feed_ids = [tok]
    return tokens, min(gaps)


def main():
    check_versions()
    model = tiny_model()
    pkg = OUT / "tiny-int8"
    export_gpt2.write_package(model, pkg, f"random weights (tools/reference/gpt2_fixtures.py, seed {SEED})",
                              "none (random weights, made for tests)", {"doSample": False, "maxNewTokens": 64},
                              precision=precision.INT8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(pkg / export_gpt2.GRAPH_FILE), options, providers=["CPUExecutionProvider"])
    cases = []
    for c in json.loads((OUT / "generations.json").read_text())["cases"]:
        if len(c["prompts"]) != 1:
            continue
        tokens, gap = greedy(session, model.config, c["prompts"][0], c["maxNewTokens"], c["eos"])
        agree = sum(a == b for a, b in zip(tokens, c["tokens"][0]))
        print(f"{c['name']}: {len(tokens)} tokens, min top-2 gap {gap:.4f}, {agree} equal to float32's at the same step")
        cases.append({"name": c["name"], "prompts": c["prompts"], "maxNewTokens": c["maxNewTokens"], "eos": c["eos"],
                      "tokens": [tokens], "minTop2Gap": gap})
    (OUT / "generations-int8.json").write_text(json.dumps({"onnxruntime": ort.__version__, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main()

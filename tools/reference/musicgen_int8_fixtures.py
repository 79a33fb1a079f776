"""int8 MusicGen fixtures for the Java runtime (dev.pianola.models.musicgen.MusicgenInt8Test).

    /tmp/mgvenv/bin/python tools/reference/musicgen_int8_fixtures.py    (pins: tools/reference/requirements-musicgen.txt)

Writes tests/fixtures/musicgen/:
  tiny-int8/             the tiny random MusicGen of musicgen_fixtures.py (same seed, same weights,
                         same tokenizer) exported by tools/export/export_musicgen.py with --precision int8
                         (the decoder's MatMuls int8; text encoder, cross_kv and EnCodec float32)
  generations-int8.json  greedy codes of ONNX Runtime (Python) on that package, with and without
                         guidance, for cases.json's prompts, and the smallest top-2 margin met

The reference for a quantized graph is ONNX Runtime itself, run with musicgen_fixtures.ort_generate,
the loop the Java port follows (both prompts in one batch, guidance's rows in the same batch as
Java's MultiCodebookLoop feeds them): dynamic quantization scales each activation tensor by its own
range, so the rows decoded together change each other's logits and must be fed as Java feeds them.
How many codes equal the float32 model's (cases.json, transformers' generate) is printed, not required.
"""
import json
import pathlib
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import musicgen_fixtures as fixtures  # noqa: E402  (its model, tokenizer, exporter and ORT loop)

OUT = fixtures.OUT
STEPS = 14


def main():
    torch.set_num_threads(2)
    checkpoint = pathlib.Path(tempfile.mkdtemp()) / "checkpoint"
    checkpoint.mkdir()
    tok = fixtures.make_tokenizer(checkpoint)
    fixtures.random_model(len(tok)).save_pretrained(str(checkpoint))
    loaded, tokenizer_dir = fixtures.exporter.load_checkpoint(str(checkpoint))
    package = OUT / "tiny-int8"
    fixtures.exporter.write_package(loaded, tokenizer_dir, package,
                                    source=f"random weights (tools/reference/musicgen_fixtures.py, seed {fixtures.SEED})",
                                    licence="none (random weights, made for tests)", precision="int8-dynamic")
    float32 = {c["name"]: c for c in json.loads((OUT / "cases.json").read_text())["cases"]}
    cases = []
    for name, guidance in (("greedy", 1.0), ("greedy_guidance", 3.0)):
        enc = tok(fixtures.PROMPTS, padding=True, return_tensors="np")
        ref = float32[name]
        assert enc["input_ids"].tolist() == ref["input_ids"], "the tokenizer is not the tiny fixture's"
        gaps = []
        codes, _ = fixtures.ort_generate(package, enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64),
                                         guidance, STEPS, gaps=gaps)
        same = int((codes == np.array(ref["codes"])).sum())
        print(f"{name}: codes {codes.shape}, {same}/{codes.size} equal to float32 generate's, min top-2 gap {min(gaps):.4f}")
        assert min(gaps) > 1e-3, f"{name}: a greedy choice is a near tie; Java could differ by rounding"
        cases.append({"name": name, "prompts": fixtures.PROMPTS, "guidance_scale": guidance, "max_new_tokens": STEPS,
                      "codes": codes.tolist(), "minTop2Gap": min(gaps)})
    (OUT / "generations-int8.json").write_text(json.dumps(
        {"onnxruntime": ort.__version__, "package": "tests/fixtures/musicgen/tiny-int8",
         "loop": "tools/reference/musicgen_fixtures.py ort_generate (greedy)", "cases": cases}, separators=(",", ":")) + "\n")
    sizes = {p.name: p.stat().st_size for p in sorted(package.iterdir())}
    print("package", sizes, "total", sum(sizes.values()))


if __name__ == "__main__":
    sys.exit(main())
